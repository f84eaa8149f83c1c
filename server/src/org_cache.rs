//! One Salesforce client per saved connection, shared by requests and runs, so the access token and the
//! describe cache are reused instead of signing in for every page. An entry is keyed by what it was built
//! from (domain, client id, sealed secret): when a connection is edited — on this instance or another one
//! sharing the database — the next lookup sees a different key and builds a fresh client.

use crate::crypto::{connection_context, CryptoError, SecretBox};
use crate::salesforce::auth::Credentials;
use crate::salesforce::describe::DescribeCache;
use crate::salesforce::{
    ClientSettings, DomainError, OrgDomain, SalesforceClient, SalesforceError,
};
use crate::storage::{Storage, StorageError, WorkspaceId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A connected org: its client and what we have learnt of its objects.
pub struct Org {
    pub client: SalesforceClient,
    pub describes: DescribeCache,
}

#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("the stored client secret could not be opened")]
    Secret(#[from] CryptoError),
    #[error("the stored domain is no longer allowed: {0}")]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Salesforce(#[from] SalesforceError),
}

/// What an entry was built from; a different key means the connection changed.
#[derive(PartialEq, Eq)]
struct Key {
    domain: String,
    client_id: String,
    sealed_secret: String,
}

/// One [`Org`] per saved connection, built on first use and rebuilt when the connection changes.
pub struct OrgCache {
    storage: Storage,
    secrets: Arc<SecretBox>,
    settings: Arc<ClientSettings>,
    entries: Mutex<HashMap<i64, (Key, Arc<Org>)>>,
}

impl OrgCache {
    pub fn new(storage: Storage, secrets: Arc<SecretBox>, settings: Arc<ClientSettings>) -> Self {
        Self {
            storage,
            secrets,
            settings,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The org behind a connection of this workspace.
    ///
    /// # Errors
    /// The connection is not in this workspace, its secret cannot be opened, or its domain is refused.
    pub async fn get(
        &self,
        workspace: WorkspaceId,
        connection_id: i64,
    ) -> Result<Arc<Org>, OrgError> {
        let connection = self
            .storage
            .find_connection(workspace, connection_id)
            .await?;
        let sealed_secret = self
            .storage
            .connection_secret(workspace, connection_id)
            .await?;
        let key = Key {
            domain: connection.domain,
            client_id: connection.client_id,
            sealed_secret,
        };
        if let Some(org) = self.cached(connection_id, &key) {
            return Ok(org);
        }
        let (secret, _) = self
            .secrets
            .open(&key.sealed_secret, &connection_context(workspace.0))?;
        let domain = OrgDomain::parse(&key.domain, &self.settings.extra_allowed)?;
        let credentials = Credentials {
            client_id: key.client_id.clone(),
            client_secret: secret,
        };
        let client = SalesforceClient::new(domain, credentials, (*self.settings).clone())?;
        let org = Arc::new(Org {
            client,
            describes: DescribeCache::new(),
        });
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(connection_id, (key, org.clone()));
        }
        Ok(org)
    }

    fn cached(&self, connection_id: i64, key: &Key) -> Option<Arc<Org>> {
        let entries = self.entries.lock().ok()?;
        let (cached_key, org) = entries.get(&connection_id)?;
        (cached_key == key).then(|| org.clone())
    }
}
