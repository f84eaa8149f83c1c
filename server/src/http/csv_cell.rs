//! CSV downloads: streamed a page at a time, opening cleanly in Excel, with cells that open safely in a
//! spreadsheet.

use super::guard::Holder;
use crate::storage::StorageError;
use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures::stream;
use std::future::Future;
use std::io;
use std::sync::Arc;

/// The byte-order mark that makes Excel read a CSV as UTF-8 (without it, "Zoë" opens as "ZoÃ«").
const UTF8_BOM: &str = "\u{feff}";

/// A CSV download named `file_name`, streamed so memory stays flat however many rows: the byte-order
/// mark and `header`, then the rows of each keyset page `page_after(key)` returns as `(key, row)` (from
/// `start`), until a
/// page comes back shorter than `page_size`. A failing page ends the body with an error (the browser then
/// reports a failed download rather than saving a short file) and is logged; so does a page the `holder`
/// may no longer read (disabled, signed out everywhere, demoted since the download began).
pub fn paged_csv<K, R, Page, Fut>(
    holder: Holder,
    file_name: String,
    header: &'static [&'static str],
    page_size: usize,
    start: K,
    page_after: Page,
    record: fn(R) -> Vec<String>,
) -> Response
where
    K: Copy + std::fmt::Debug + Send + 'static,
    R: Send + 'static,
    Page: Fn(K) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<(K, R)>, StorageError>> + Send + 'static,
{
    let page_after = Arc::new(page_after);
    let name = file_name.clone();
    let pages = stream::unfold(Some((start, true)), move |at| {
        let page_after = page_after.clone();
        let name = name.clone();
        let holder = holder.clone();
        async move {
            let (after, first) = at?;
            if !holder.still_holds().await {
                return Some((Err(io::Error::other("access was taken away")), None));
            }
            match page_after(after).await {
                Ok(page) => {
                    let next = (page.len() == page_size)
                        .then(|| page.last().map(|(key, _)| (*key, false)))
                        .flatten();
                    Some((encode_page(first, header, page, record), next))
                }
                Err(error) => {
                    tracing::error!(%error, file = %name, ?after, "a page of a CSV download failed");
                    Some((Err(io::Error::other("a page of the download failed")), None))
                }
            }
        }
    });
    csv_download(&file_name, Body::from_stream(pages))
}

/// One page as CSV bytes; the first starts with the byte-order mark and the header.
fn encode_page<K, R>(
    first: bool,
    header: &[&str],
    rows: Vec<(K, R)>,
    record: fn(R) -> Vec<String>,
) -> io::Result<Vec<u8>> {
    let mut buffer = Vec::with_capacity(rows.len() * 96 + 64);
    if first {
        buffer.extend_from_slice(UTF8_BOM.as_bytes());
    }
    let mut out = csv::Writer::from_writer(buffer);
    if first {
        out.write_record(header)?;
    }
    for (_, row) in rows {
        out.write_record(record(row))?;
    }
    out.into_inner().map_err(|e| e.into_error())
}

/// A streamed CSV body offered as a download named `file_name`.
fn csv_download(file_name: &str, body: Body) -> Response {
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
    use super::{defuse, encode_page};

    fn record((a, b): (&str, String)) -> Vec<String> {
        vec![a.to_owned(), defuse(&b)]
    }

    #[test]
    fn only_the_first_page_starts_with_the_bom_and_the_header() {
        let first = encode_page(
            true,
            &["a", "b"],
            vec![(1, ("x", "Zoë, \"Z\"".into()))],
            record,
        )
        .expect("csv");
        assert_eq!(
            String::from_utf8(first).expect("utf-8"),
            "\u{feff}a,b\nx,\"Zoë, \"\"Z\"\"\"\n"
        );
        let next =
            encode_page(false, &["a", "b"], vec![(2, ("y", "-1".into()))], record).expect("csv");
        assert_eq!(String::from_utf8(next).expect("utf-8"), "y,'-1\n");
    }

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
