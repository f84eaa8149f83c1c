//! Builds the whole application from [`Settings`]: database, migrations, first-start bootstrap, sessions,
//! routes. Binding happens here so callers (tests) learn the real port when they ask for port 0.

use crate::bootstrap::{ensure_first_workspace, BootstrapError, FirstStart};
use crate::config::Settings;
use crate::crypto::SecretBox;
use crate::engine::Engine;
use crate::http::{self, security::SecurityPolicy};
use crate::salesforce::ClientSettings;
use crate::state::AppState;
use crate::storage::{SessionStore, Storage, StorageError};
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("could not create the data directory {path}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("could not open the database")]
    Storage(#[from] StorageError),
    #[error("could not set up the session store")]
    Sessions(#[source] sqlx::Error),
    #[error("could not create the first workspace")]
    Bootstrap(#[from] BootstrapError),
    #[error("could not set up secret encryption")]
    Crypto(#[from] crate::crypto::CryptoError),
    #[error("could not read KOMO_SALESFORCE_CA_FILE {path}")]
    CaFile {
        path: String,
        source: std::io::Error,
    },
    #[error("could not listen on {addr}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    storage: Storage,
    engine: Engine,
    workers: Vec<tokio::task::JoinHandle<()>>,
    /// Whose leases this instance's engine holds; its lock lives as long as the server runs.
    identity: crate::engine::instance::Identity,
    /// Set on the very first start only.
    pub first_start: Option<FirstStart>,
}

/// The name cargo-leptos gives the WASM/CSS bundle (`name` in `[[workspace.metadata.leptos]]`).
const OUTPUT_NAME: &str = "komo-sync";

impl Application {
    /// # Errors
    /// Any start-up step that fails, named.
    pub async fn build(settings: &Settings) -> Result<Self, StartupError> {
        if settings.database_url.starts_with("sqlite:") {
            std::fs::create_dir_all(&settings.data_dir).map_err(|source| {
                StartupError::DataDir {
                    path: settings.data_dir.display().to_string(),
                    source,
                }
            })?;
        }
        let storage = Storage::connect(&settings.database_url).await?;
        let sessions = SessionStore::for_storage(&storage)
            .await
            .map_err(StartupError::Sessions)?;
        tokio::spawn(
            sessions
                .clone()
                .delete_expired_every(std::time::Duration::from_secs(600)),
        );
        let first_start = ensure_first_workspace(&storage, &settings.bootstrap).await?;
        crate::demo::seed_on_first_start(&storage, first_start.is_some()).await?;
        let secrets = Arc::new(SecretBox::load_or_create(
            settings.secret_key.as_ref(),
            settings.secret_key_previous.as_ref(),
            &settings.data_dir,
        )?);
        if settings.secret_key_previous.is_some() {
            reseal_secrets(&storage, &secrets).await?;
        }
        let salesforce = Arc::new(salesforce_settings(settings)?);

        let listener =
            TcpListener::bind(settings.addr)
                .await
                .map_err(|source| StartupError::Bind {
                    addr: settings.addr,
                    source,
                })?;
        let addr = listener.local_addr().map_err(|source| StartupError::Bind {
            addr: settings.addr,
            source,
        })?;

        let leptos_options = LeptosOptions::builder()
            .output_name(std::env::var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|_| OUTPUT_NAME.into()))
            .site_root(settings.site_root.as_str())
            .site_addr(addr)
            .build();
        let routes = generate_route_list(app::App);
        let orgs = Arc::new(crate::org_cache::OrgCache::new(
            storage.clone(),
            secrets.clone(),
            salesforce.clone(),
        ));
        if let Some(demo) = &settings.demo_org {
            if let Err(error) = crate::demo::org::prepare(&storage, &secrets, &orgs, demo).await {
                tracing::warn!(%error, url = %demo.url, "the demo org is not ready; connect it by hand");
            }
        }
        let engine_wake = Arc::new(tokio::sync::Notify::new());
        let identity = crate::engine::instance::Identity::of_data_dir(&settings.data_dir);
        if identity.adopt {
            // Before any worker of ours runs: these can only be what this instance's previous life left.
            let adopted = storage.adopt_runs(&identity.owner).await?;
            if adopted > 0 {
                tracing::info!(
                    adopted,
                    "taking back the runs this instance was pushing when it stopped"
                );
            }
        }
        let engine = Engine::new(
            storage.clone(),
            orgs.clone(),
            settings.push.clone(),
            engine_wake.clone(),
            identity.owner.clone(),
        );
        // The push engine runs beside the web server in the same process, under the same shutdown.
        let workers = (0..settings.push.workers)
            .map(|_| tokio::spawn(engine.clone().work()))
            .collect();
        let state = AppState {
            storage: storage.clone(),
            leptos_options: leptos_options.clone(),
            routes: Arc::new(routes.clone()),
            security: Arc::new(SecurityPolicy::from_settings(settings)),
            orgs,
            engine_wake,
            secrets,
            salesforce,
            hash_gate: Arc::new(crate::auth::gate::HashGate::for_this_machine()),
            trusted_proxies: Arc::new(settings.trusted_proxies.clone()),
            progress_patience: settings.progress_patience,
            bulk_turns: Arc::new(tokio::sync::Semaphore::new(settings.api_bulk_concurrency)),
        };

        let session_layer = session_layer(sessions, settings);
        let router = Router::new()
            .leptos_routes_with_handler(routes, get(http::pages::page))
            .nest("/api/v1", http::api_v1::router())
            .merge(http::import::router())
            .merge(http::runs::router())
            .route(
                "/api/{*fn_name}",
                get(http::pages::server_fn).post(http::pages::server_fn),
            )
            .route("/healthz", get(http::health::healthz))
            .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
                app::shell,
            ))
            .layer(session_layer)
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                http::security::middleware,
            ))
            .layer(tower_http::trace::TraceLayer::new_for_http())
            .with_state(state);

        Ok(Self {
            listener,
            router,
            storage,
            engine,
            identity,
            workers,
            first_start,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_default()
    }

    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// This instance's push engine: tests (with `KOMO_WORKERS=0`) step it themselves.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish and closes the pool.
    ///
    /// # Errors
    /// When the listener fails.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let storage = self.storage.clone();
        // With the peer's address on every request: the per-address sign-in limit reads it.
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await;
        // Workers give their runs back to the queue at the next batch boundary; one stuck in a long
        // Salesforce call is dropped after a grace period, and its run is picked up when its lease lapses.
        self.engine.shutdown();
        for worker in self.workers {
            let abort = worker.abort_handle();
            if tokio::time::timeout(std::time::Duration::from_secs(30), worker)
                .await
                .is_err()
            {
                abort.abort();
                tracing::warn!("a push worker did not stop in time");
            }
        }
        storage.close().await;
        // Only now, with every worker stopped, may a new process take this identity (and its runs).
        drop(self.identity);
        result
    }
}

fn salesforce_settings(settings: &Settings) -> Result<ClientSettings, StartupError> {
    let extra_root_pem = match &settings.salesforce.ca_file {
        Some(path) => Some(std::fs::read(path).map_err(|source| StartupError::CaFile {
            path: path.display().to_string(),
            source,
        })?),
        None => None,
    };
    Ok(ClientSettings {
        extra_allowed: settings.salesforce.extra_origins.clone(),
        extra_root_pem,
        backoff_scale: settings.salesforce.backoff_scale,
        ..ClientSettings::default()
    })
}

/// Key rotation: re-seals every stored secret that only the previous key opens.
async fn reseal_secrets(storage: &Storage, secrets: &SecretBox) -> Result<(), StartupError> {
    let mut resealed = 0;
    for (id, workspace_id, sealed) in storage.all_sealed_secrets().await? {
        let context = crate::crypto::connection_context(workspace_id);
        let (plain, used_previous) = secrets.open(&sealed, &context)?;
        if used_previous {
            let fresh = secrets.seal(secrecy::ExposeSecret::expose_secret(&plain), &context);
            storage.reseal_connection_secret(id, &fresh).await?;
            resealed += 1;
        }
    }
    tracing::info!(resealed, "re-encrypted stored secrets with the current key");
    Ok(())
}

/// Session cookie: HttpOnly always; Secure when served over HTTPS. SameSite=Lax by default; when the app
/// may be framed by Komo (another site), the browser only sends the cookie inside the iframe with
/// SameSite=None, which browsers accept only together with Secure, so that needs HTTPS.
fn session_layer(store: SessionStore, settings: &Settings) -> SessionManagerLayer<SessionStore> {
    let framed_over_https = settings.serves_https() && !settings.frame_ancestors.is_empty();
    let idle = time::Duration::try_from(settings.session_idle).unwrap_or(time::Duration::hours(12));
    SessionManagerLayer::new(store)
        .with_name("komo_sync_session")
        .with_http_only(true)
        .with_secure(settings.serves_https())
        .with_same_site(if framed_over_https {
            SameSite::None
        } else {
            SameSite::Lax
        })
        .with_expiry(Expiry::OnInactivity(idle))
}
