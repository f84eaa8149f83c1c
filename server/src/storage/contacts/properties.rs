//! A workspace's custom contact property definitions.

use crate::storage::error::OnUnique;
use crate::storage::{now_unix, on_pool, Storage, StorageError, WorkspaceId};
use shared::contact::custom::{CustomProperty, PropertyName, PropertyType};

#[derive(sqlx::FromRow)]
struct PropertyRow {
    name: String,
    label: String,
    kind: String,
    choices: String,
}

impl TryFrom<PropertyRow> for CustomProperty {
    type Error = StorageError;
    fn try_from(row: PropertyRow) -> Result<Self, StorageError> {
        let corrupt = |e: String| StorageError::Corrupt(format!("contact property: {e}"));
        Ok(CustomProperty {
            name: PropertyName::parse(&row.name).map_err(|e| corrupt(e.to_string()))?,
            label: row.label,
            kind: PropertyType::parse(&row.kind).map_err(|e| corrupt(e.to_string()))?,
            choices: serde_json::from_str(&row.choices).map_err(|e| corrupt(e.to_string()))?,
        })
    }
}

impl Storage {
    /// In the order they were created, which is the order forms and the catalog show them.
    ///
    /// # Errors
    /// Database faults or a corrupt definition.
    pub async fn list_contact_properties(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Vec<CustomProperty>, StorageError> {
        let sql = "select name, label, kind, choices from contact_properties \
                   where workspace_id = $1 order by id";
        let rows: Vec<PropertyRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(workspace.0).fetch_all(pool).await)?;
        rows.into_iter().map(CustomProperty::try_from).collect()
    }

    /// # Errors
    /// [`StorageError::Duplicate`] when the workspace already has a property with this name.
    pub async fn create_contact_property(
        &self,
        workspace: WorkspaceId,
        property: &CustomProperty,
    ) -> Result<(), StorageError> {
        let sql = "insert into contact_properties (workspace_id, name, label, kind, choices, created_at) \
                   values ($1, $2, $3, $4, $5, $6)";
        let choices = serde_json::to_string(&property.choices)
            .map_err(|e| StorageError::Corrupt(e.to_string()))?;
        on_pool!(self, pool => sqlx::query(sql)
            .bind(workspace.0)
            .bind(property.name.as_str())
            .bind(&property.label)
            .bind(property.kind.as_str())
            .bind(&choices)
            .bind(now_unix())
            .execute(pool)
            .await
            .map(|_| ()))
        .on_unique("property")
    }

    /// Removes the definition. Stored values stay in the contacts' JSON (rewriting a million rows is not
    /// worth it), but only defined properties are shown or synced.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when there is no such property.
    pub async fn delete_contact_property(
        &self,
        workspace: WorkspaceId,
        name: &PropertyName,
    ) -> Result<(), StorageError> {
        let sql = "delete from contact_properties where workspace_id = $1 and name = $2";
        let affected = on_pool!(self, pool => sqlx::query(sql)
            .bind(workspace.0)
            .bind(name.as_str())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        if affected == 0 {
            return Err(StorageError::NotFound("property"));
        }
        Ok(())
    }
}
