pub mod api_tokens;
pub mod change_password;
pub mod connected_apps;
pub mod contact_detail;
pub mod contact_import;
pub mod contact_properties;
pub mod contacts;
/// Helpers more than one page uses.
mod helpers;
pub mod not_found;
pub mod settings;
pub mod sign_in;
pub mod sync_configure;
pub mod sync_page;
pub mod sync_run;
pub mod syncs;
pub mod users;
