// `sqlx::migrate!` embeds the migration files at compile time, but cargo only rebuilds when a Rust source
// changes: without this, a newly added migration alone would be left out of the binary.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
