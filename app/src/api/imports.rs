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

/// The server side of the import page. Super users only, every method.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait ImportsBackend: Send + Sync {
    /// The header, suggested mapping and first rows of a file's first bytes.
    async fn preview_import(&self, head: String) -> Result<ImportPreview, ApiError>;
    /// Records an import waiting for its file; `mapping` in `ImportMapping`'s wire form.
    async fn start_import(
        &self,
        file_name: String,
        total_bytes: u64,
        mapping: String,
    ) -> Result<i64, ApiError>;
    /// An import of the workspace, with its first row errors.
    async fn import_status(&self, import_id: i64) -> Result<ImportStatus, ApiError>;
}

/// `head`: the file's first bytes (about 64 KB), cut at a line end.
#[server(endpoint = "preview_import")]
pub async fn preview_import(head: String) -> Result<ImportPreview, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.preview_import(head).await }).await
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
    respond(async {
        backend()?
            .start_import(file_name, total_bytes, mapping)
            .await
    })
    .await
}

#[server(endpoint = "import_status")]
pub async fn get_import_status(import_id: i64) -> Result<ImportStatus, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.import_status(import_id).await }).await
}
