//! CSV downloads: cells that open safely in a spreadsheet, and the response that offers a file.

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A streamed CSV body offered as a download named `file_name`.
pub fn csv_download(file_name: &str, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or carriage return
/// before one) as a formula. Our CSVs repeat what contacts and Salesforce said, so such a cell is written
/// as text, with a leading apostrophe (OWASP's advice for CSV injection).
pub fn defuse(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::defuse;

    #[test]
    fn formula_starts_are_neutralised_and_plain_text_is_kept() {
        assert_eq!(defuse("=1+1"), "'=1+1");
        assert_eq!(defuse("+44 20"), "'+44 20");
        assert_eq!(defuse("-x"), "'-x");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("\t=cmd"), "'\t=cmd");
        assert_eq!(defuse("ada@example.com"), "ada@example.com");
        assert_eq!(defuse(""), "");
    }
}
