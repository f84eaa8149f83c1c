//! CSV import, for super users: preview the start of a file, start an import with a mapping, poll it.
//! The file itself does not go through a server function (it would be buffered): the page streams it to
//! `POST /import/contacts/{id}` and downloads the report from `/import/contacts/{id}/errors.csv`.

use crate::error::ApiError;
use leptos::prelude::*;
use shared::contact::import::{ImportPreview, ImportStatus};

/// Where the page sends the file of import `id`.
pub fn upload_url(id: i64) -> String {
    format!("/import/contacts/{id}")
}

/// Where the error report of import `id` downloads from.
pub fn report_url(id: i64) -> String {
    format!("/import/contacts/{id}/errors.csv")
}

/// `head`: the file's first bytes (about 64 KB), cut at a line end.
#[server(endpoint = "preview_import")]
pub async fn preview_import(head: String) -> Result<ImportPreview, ApiError> {
    use super::{backend, respond};
    respond(backend()?.preview_import(head).await)
}

/// `mapping`: a field key per column, comma-separated, blank for a skipped column. Returns the import's
/// id, to upload its file to.
#[server(endpoint = "start_import")]
pub async fn start_import(
    file_name: String,
    total_bytes: u64,
    mapping: String,
) -> Result<i64, ApiError> {
    use super::{backend, respond};
    respond(
        backend()?
            .start_import(file_name, total_bytes, mapping)
            .await,
    )
}

#[server(endpoint = "import_status")]
pub async fn get_import_status(import_id: i64) -> Result<ImportStatus, ApiError> {
    use super::{backend, respond};
    respond(backend()?.import_status(import_id).await)
}
