//! Record storage sized for a million rows: one compact row per record, the
//! row number encoded in the id (see [`crate::ids`]), and hash indexes only on
//! upsert-key fields (Email and External ID fields), keyed by lower-cased value.

mod table;
pub mod value;

pub use table::{Row, Table, Undo};
pub use value::Val;
