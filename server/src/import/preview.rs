//! The start of a file, as the mapping step shows it.

use shared::contact::fields::FieldCatalog;
use shared::contact::import::{ImportMapping, ImportPreview};

/// How many rows the mapping step shows.
pub const PREVIEW_ROWS: usize = 5;
/// How much of the file the browser sends for the preview.
pub const PREVIEW_BYTES: usize = 64 * 1024;

/// Reads the header and the first rows of `head` (the file's first bytes, cut at a line end by the
/// browser) and suggests a field for each column.
///
/// # Errors
/// A sentence for the page when the text has no header row.
pub fn preview(head: &str, catalog: &FieldCatalog) -> Result<ImportPreview, String> {
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(head.as_bytes());
    let headers: Vec<String> = csv
        .headers()
        .map_err(|e| format!("the file could not be read as CSV: {e}"))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err("the file is empty: its first row must name the columns".to_owned());
    }
    let rows = csv
        .records()
        .take(PREVIEW_ROWS)
        .filter_map(Result::ok)
        .map(|r| r.iter().map(str::to_owned).collect())
        .collect();
    Ok(ImportPreview {
        suggested: ImportMapping::suggest(&headers, catalog),
        headers,
        rows,
        fields: catalog
            .fields()
            .iter()
            .filter(|f| f.writable)
            .cloned()
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_matched_and_the_first_rows_shown() {
        let head = "E-mail,First Name,Favourite colour\n\"ada@example.com\",Ada,red\nb@example.com,\"B, Jr\",blue\n";
        let preview = preview(head, &FieldCatalog::new(&[])).expect("preview");
        assert_eq!(
            preview.headers,
            ["E-mail", "First Name", "Favourite colour"]
        );
        assert_eq!(
            preview.suggested,
            [
                Some("email".to_owned()),
                Some("first_name".to_owned()),
                None
            ]
        );
        assert_eq!(preview.rows[1], ["b@example.com", "B, Jr", "blue"]);
        assert!(preview.fields.iter().all(|f| f.writable));
        assert!(super::preview("", &FieldCatalog::new(&[])).is_err());
    }
}
