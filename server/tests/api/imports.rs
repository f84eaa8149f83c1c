//! CSV import through the routes the page uses: `start_import` (server fn), the streamed upload, the
//! status poll and the error report.

use crate::helpers::{api_error, email, spawn_app, TestApp, MEMBER_PASSWORD};
use app::error::ApiError;
use shared::contact::custom::{CustomProperty, PropertyValue};
use shared::contact::import::{ImportState, ImportStatus};
use shared::Role;

impl TestApp {
    async fn start_import(&self, mapping: &str, total_bytes: usize) -> reqwest::Response {
        self.call(
            "start_import",
            &[
                ("file_name", "contacts.csv"),
                ("total_bytes", &total_bytes.to_string()),
                ("mapping", mapping),
            ],
        )
        .await
    }

    async fn upload(&self, id: i64, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.client
            .post(format!("{}/import/contacts/{id}", self.address))
            .header("content-type", "text/csv")
            .body(body)
            .send()
            .await
            .expect("request sent")
    }

    /// Starts an import with `mapping` and uploads `csv`; returns the final status.
    async fn import_csv(&self, mapping: &str, csv: &str) -> ImportStatus {
        let started = self.start_import(mapping, csv.len()).await;
        assert_eq!(started.status(), 200, "import starts");
        let id: i64 = started.json().await.expect("import id");
        let uploaded = self.upload(id, csv.to_owned()).await;
        assert_eq!(uploaded.status(), 200, "file accepted");
        let answered: ImportStatus = uploaded.json().await.expect("status");
        let polled = self.import_status(id).await;
        assert_eq!(polled.counts, answered.counts);
        polled
    }

    async fn import_status(&self, id: i64) -> ImportStatus {
        let response = self
            .call("import_status", &[("import_id", &id.to_string())])
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("status")
    }

    async fn error_report(&self, id: i64) -> reqwest::Response {
        self.get(&format!("/import/contacts/{id}/errors.csv")).await
    }
}

const GOOD_AND_BAD: &str = "\
Email,First Name,Date of birth,Favourite
ada@example.com,Ada,1815-12-10,Red
not-an-email,Bob,1990-01-01,Red
carol@example.com,Carol,10/03/1990,Green
dave@example.com,Dave,1980-02-02,Purple
\"eve@example.com\",\"Eve, Jr\",,green
frank@example.com,Frank
";

async fn favourite(app: &TestApp) -> CustomProperty {
    let property = CustomProperty::parse("favourite", "Favourite", "single_choice", "Red\nGreen")
        .expect("definition");
    app.storage
        .create_contact_property(app.first_workspace().await, &property)
        .await
        .expect("property");
    property
}

#[tokio::test]
async fn good_rows_are_saved_and_each_bad_row_is_reported_with_its_row_and_reason() {
    let app = spawn_app().await;
    favourite(&app).await;
    app.sign_in_as_admin().await;

    let status = app
        .import_csv("email,first_name,date_of_birth,favourite", GOOD_AND_BAD)
        .await;
    assert_eq!(status.state, ImportState::Done);
    assert_eq!(status.percent(), 100);
    assert_eq!(status.counts.rows_read, 6);
    assert_eq!(status.counts.rows_saved, 2);
    assert_eq!(status.counts.rows_failed, 4);
    assert_eq!(status.counts.bytes_read, GOOD_AND_BAD.len() as u64);

    let workspace = app.first_workspace().await;
    assert_eq!(
        app.storage.count_contacts(workspace).await.expect("count"),
        2
    );
    let eve = app
        .storage
        .get_contact_by_email(workspace, &email("eve@example.com"))
        .await
        .expect("eve saved beside the bad rows");
    assert_eq!(eve.first_name, "Eve, Jr");
    assert_eq!(
        eve.custom.get("favourite"),
        Some(&PropertyValue::Choice("Green".into()))
    );

    let rows: Vec<(u64, &str)> = status
        .first_errors
        .iter()
        .map(|e| (e.row, e.field.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            (3, "email"),
            (4, "date_of_birth"),
            (5, "favourite"),
            (7, "")
        ]
    );
    assert!(status.first_errors[1].reason.contains("YYYY-MM-DD"));
    assert!(status.first_errors[2].reason.contains("Red, Green"));
    assert!(status.first_errors[3].reason.contains("2 cells"));

    let report = app.error_report(status.id).await;
    assert_eq!(report.status(), 200);
    assert!(report
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/csv")));
    let body = report.bytes().await.expect("report");
    assert!(
        body.starts_with("\u{feff}".as_bytes()),
        "UTF-8 BOM first, for Excel"
    );
    let text = std::str::from_utf8(&body[3..]).expect("utf-8");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("row,email,field,reason"));
    assert!(lines
        .next()
        .is_some_and(|l| l.starts_with("3,not-an-email,email,")));
    assert_eq!(text.lines().count(), 5, "a header and one line per problem");
}

#[tokio::test]
async fn importing_again_updates_contacts_instead_of_duplicating_them() {
    let app = spawn_app().await;
    app.sign_in_as_admin().await;
    let mut first = String::from("email,first name,city\n");
    // More rows than one batch, with a repeat across batches: the later row wins.
    for i in 0..1_200 {
        first.push_str(&format!("person{i}@example.com,Person {i},Sydney\n"));
    }
    first.push_str("person3@example.com,Repeated,Perth\n");
    let status = app.import_csv("email,first_name,city", &first).await;
    assert_eq!(status.counts.rows_saved, 1_201);
    let workspace = app.first_workspace().await;
    assert_eq!(
        app.storage.count_contacts(workspace).await.expect("count"),
        1_200
    );
    let repeated = app
        .storage
        .get_contact_by_email(workspace, &email("person3@example.com"))
        .await
        .expect("contact");
    assert_eq!(repeated.first_name, "Repeated");

    let again = "City,Email\nMelbourne,PERSON7@example.com\n";
    let status = app.import_csv("city,email", again).await;
    assert_eq!(status.counts.rows_saved, 1);
    assert_eq!(
        app.storage.count_contacts(workspace).await.expect("count"),
        1_200
    );
    let moved = app
        .storage
        .get_contact_by_email(workspace, &email("person7@example.com"))
        .await
        .expect("contact");
    assert_eq!(moved.city, "Melbourne");
    assert_eq!(moved.first_name, "Person 7", "unmapped fields are kept");
}

#[tokio::test]
async fn a_member_can_neither_import_nor_read_an_import() {
    let app = spawn_app().await;
    let workspace = app.first_workspace().await;
    app.add_user(workspace, "member@acme.example", Role::Member)
        .await;
    app.sign_in_as_admin().await;
    let status = app.import_csv("email", "email\nada@example.com\n").await;

    let member = app.other_browser();
    member.sign_in("member@acme.example", MEMBER_PASSWORD).await;
    let refused = member.start_import("email", 10).await;
    assert_eq!(refused.status(), 403);
    assert!(matches!(
        api_error(refused).await,
        ApiError::Forbidden { .. }
    ));
    assert_eq!(
        member
            .upload(status.id, "email\nx@example.com\n")
            .await
            .status(),
        403
    );
    assert_eq!(member.error_report(status.id).await.status(), 403);
    let polled = member
        .call("import_status", &[("import_id", &status.id.to_string())])
        .await;
    assert_eq!(polled.status(), 403);

    let signed_out = app.other_browser();
    assert_eq!(signed_out.upload(status.id, "email\n").await.status(), 401);
    assert_eq!(
        app.storage.count_contacts(workspace).await.expect("count"),
        1
    );
}

#[tokio::test]
async fn another_workspace_cannot_see_feed_or_download_an_import() {
    let app = spawn_app().await;
    app.sign_in_as_admin().await;
    let status = app
        .import_csv("email", "email\nbad-address\nada@example.com\n")
        .await;
    assert_eq!(status.counts.rows_failed, 1);

    let globex = app.new_workspace("Globex").await;
    app.add_user(globex, "boss@globex.example", Role::SuperUser)
        .await;
    let other = app.other_browser();
    other.sign_in("boss@globex.example", MEMBER_PASSWORD).await;
    let id = status.id.to_string();
    let polled = other.call("import_status", &[("import_id", &id)]).await;
    assert_eq!(polled.status(), 404);
    assert_eq!(other.error_report(status.id).await.status(), 404);
    assert_eq!(
        other
            .upload(status.id, "email\nx@example.com\n")
            .await
            .status(),
        404
    );
    assert_eq!(app.storage.count_contacts(globex).await.expect("count"), 0);
}

#[tokio::test]
async fn an_import_takes_one_file_and_refuses_a_mismatched_or_empty_mapping() {
    let app = spawn_app().await;
    app.sign_in_as_admin().await;
    let no_email = app.start_import("first_name", 10).await;
    assert_eq!(no_email.status(), 422);
    assert_eq!(api_error(no_email).await.field(), Some("mapping"));

    let status = app.import_csv("email", "email\nada@example.com\n").await;
    let again = app.upload(status.id, "email\nbob@example.com\n").await;
    assert_eq!(again.status(), 409, "an import is fed once");

    // The file has more columns than were mapped: refused as a whole, with the reason recorded.
    let started = app.start_import("email", 30).await;
    let id: i64 = started.json().await.expect("id");
    let mismatched = app.upload(id, "email,city\nada@example.com,Oslo\n").await;
    assert_eq!(mismatched.status(), 422);
    let failed = app.import_status(id).await;
    assert_eq!(failed.state, ImportState::Failed);
    assert!(failed.message.contains("2 columns"), "{}", failed.message);
}

#[tokio::test]
async fn an_endless_quoted_field_stops_the_import_at_its_row_and_long_cells_are_clipped() {
    let app = spawn_app().await;
    app.sign_in_as_admin().await;
    // Row 2 is fine; row 3 is a bad email of 5,000 characters; row 4 opens a quote that never closes.
    let long_email = format!("{}@", "x".repeat(5_000));
    let csv = format!(
        "Email,First Name\nada@example.com,Ada\n{long_email},Bob\n\"{}",
        "y".repeat(3 * 1024 * 1024)
    );
    let started = app.start_import("email,first_name", csv.len()).await;
    let id: i64 = started.json().await.expect("import id");
    let uploaded = app.upload(id, csv).await;
    assert_eq!(uploaded.status(), 422);
    let refusal = api_error(uploaded).await;
    assert_eq!(refusal.field(), Some("file"));
    assert!(
        refusal
            .to_string()
            .contains("Row 4 is longer than 1048576 bytes"),
        "{refusal}"
    );

    let status = app.import_status(id).await;
    assert_eq!(status.state, ImportState::Failed);
    assert_eq!(status.counts.rows_saved, 1, "the rows before it are saved");
    let problem = &status.first_errors[0];
    assert_eq!(problem.row, 3);
    assert!(
        problem.email.chars().count() <= 301 && problem.email.ends_with('…'),
        "{} characters",
        problem.email.len()
    );
}

#[tokio::test]
async fn an_upload_stops_when_its_user_is_disabled_midway() {
    use futures::SinkExt;
    let app = spawn_app().await;
    app.sign_in_as_admin().await;
    let workspace = app.first_workspace().await;
    let uploader_id = app
        .add_user(workspace, "uploader@acme.example", Role::SuperUser)
        .await;
    let uploader = app.other_browser();
    assert_eq!(
        uploader
            .sign_in("uploader@acme.example", MEMBER_PASSWORD)
            .await
            .status(),
        200
    );
    let rows = |from: usize| -> Vec<u8> {
        (from..from + 600)
            .map(|i| format!("person{i}@example.com,Person\n"))
            .collect::<String>()
            .into_bytes()
    };
    let started = uploader.start_import("email,first_name", 1_000_000).await;
    let id: i64 = started.json().await.expect("import id");
    let (mut body, body_rx) = futures::channel::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    let upload = tokio::spawn(async move {
        uploader
            .upload(id, reqwest::Body::wrap_stream(body_rx))
            .await
    });
    body.send(Ok(b"Email,First Name\n".to_vec()))
        .await
        .expect("header");
    body.send(Ok(rows(0))).await.expect("first rows");
    // Disable only once the upload has passed its own sign-in check: the server marks the import running
    // then, and that state is the only signal it gives (without this wait a loaded machine let the
    // disable land first, and the upload was refused at the door with 401 instead of stopped midway).
    let mut checks = 0;
    while app.import_status(id).await.state != ImportState::Running {
        checks += 1;
        assert!(checks < 10_000, "the upload never started");
        tokio::task::yield_now().await;
    }

    let disabled = app
        .call("disable_user", &[("user_id", &uploader_id.to_string())])
        .await;
    assert_eq!(disabled.status(), 200);
    // The rest of the file: the next batch finds the access gone.
    for from in [600, 1_200, 1_800] {
        if body.send(Ok(rows(from))).await.is_err() {
            break; // the server stopped reading
        }
    }
    drop(body);
    let answered = upload.await.expect("task");
    assert_eq!(answered.status(), 422);

    let status = app.import_status(id).await;
    assert_eq!(status.state, ImportState::Failed);
    assert!(
        status.message.contains("access was taken away"),
        "{}",
        status.message
    );
    assert!(status.counts.rows_saved < 2_400, "{:?}", status.counts);
}
