//! CSV import for server functions: preview, start, status. The file itself streams through
//! `http::import`.

use super::RequestBackend;
use crate::import::preview::{preview, PREVIEW_BYTES};
use app::api::imports::ImportsBackend;
use app::error::ApiError;
use shared::contact::fields::FieldCatalog;
use shared::contact::import::{ImportMapping, ImportPreview, ImportStatus};

/// Row errors the page lists under the progress bar; the rest are in the downloadable report.
const FIRST_ERRORS: u32 = 20;
/// Longest file name kept, in characters.
const MAX_FILE_NAME: usize = 200;

#[async_trait::async_trait]
impl ImportsBackend for RequestBackend {
    async fn preview_import(&self, head: String) -> Result<ImportPreview, ApiError> {
        let workspace = self.super_user().await?;
        // Twice the size the page sends: room for multi-byte text, a cap on what we parse.
        if head.len() > 2 * PREVIEW_BYTES {
            return Err(ApiError::Invalid {
                field: "file".into(),
                reason: "send only the start of the file for the preview".into(),
            });
        }
        let properties = self.storage.list_contact_properties(workspace).await?;
        preview(&head, &FieldCatalog::new(&properties)).map_err(|reason| ApiError::Invalid {
            field: "file".into(),
            reason,
        })
    }

    async fn start_import(
        &self,
        file_name: String,
        total_bytes: u64,
        mapping: String,
    ) -> Result<i64, ApiError> {
        let workspace = self.super_user().await?;
        let properties = self.storage.list_contact_properties(workspace).await?;
        let mapping =
            ImportMapping::parse(&mapping, &FieldCatalog::new(&properties)).map_err(|e| {
                ApiError::Invalid {
                    field: "mapping".into(),
                    reason: e.to_string(),
                }
            })?;
        let name: String = file_name.trim().chars().take(MAX_FILE_NAME).collect();
        let name = if name.is_empty() {
            "contacts.csv".to_owned()
        } else {
            name
        };
        let id = self
            .storage
            .create_import(workspace, &name, total_bytes, &mapping.to_wire())
            .await?;
        tracing::info!(
            import = id,
            total_bytes,
            columns = mapping.len(),
            "import started"
        );
        Ok(id)
    }

    async fn import_status(&self, import_id: i64) -> Result<ImportStatus, ApiError> {
        let workspace = self.super_user().await?;
        let mut status = self.storage.get_import(workspace, import_id).await?.status;
        status.first_errors = self
            .storage
            .page_import_errors(workspace, import_id, 0, FIRST_ERRORS)
            .await?
            .into_iter()
            .map(|(_, e)| e)
            .collect();
        Ok(status)
    }
}
