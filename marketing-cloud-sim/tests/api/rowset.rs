use crate::helpers::{assert_shape, assert_shape_but, fixture, Tenant, MID};
use marketing_cloud_sim::seed::{contact_row, CONTACTS_KEY};
use reqwest::Method;
use serde_json::{json, Value};

const READ: &str = "/data/v1/customobjectdata/key/Contacts/rowset";
const HUB: &str = "/hub/v1/dataevents/key:Contacts/rowset";

#[tokio::test]
async fn an_empty_data_extension_reads_back_without_items_as_recorded() {
    let t = Tenant::start().await;
    let token = t.token().await;
    let (status, answer) = t
        .call(
            Method::GET,
            &format!("{READ}?$page=1&$pagesize=1"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_shape(
        &answer,
        &fixture("10-rest-customobjectdata-rowset-empty.json"),
    );
    assert_eq!(answer["count"], 0);
    assert!(
        answer.get("items").is_none(),
        "items is absent, not empty: {answer}"
    );
    assert_eq!(answer["customObjectId"], json!(t.contacts_id));
}

#[tokio::test]
async fn rows_read_back_as_strings_page_by_page() {
    let t = Tenant::start().await;
    let rows: Vec<_> = (0..5).map(contact_row).collect();
    assert_eq!(t.sim.seed_rows(MID, CONTACTS_KEY, &rows), 5);
    let token = t.token().await;
    let (_, first) = t
        .call(
            Method::GET,
            &format!("{READ}?$page=1&$pagesize=2"),
            &token,
            None,
        )
        .await;
    assert_eq!(
        (
            first["count"].as_u64(),
            first["items"].as_array().map(Vec::len)
        ),
        (Some(5), Some(2))
    );
    assert!(first["links"]["next"].is_string());
    let row = &first["items"][1];
    assert_eq!(row["keys"], json!({"contactkey": "person1@seed.example"}));
    assert_eq!(row["values"]["optin"], "True");
    assert_eq!(row["values"]["joinedon"], "2/2/2024 12:00:00 AM");
    let (_, last) = t
        .call(
            Method::GET,
            &format!("{READ}?$page=3&$pagesize=2"),
            &token,
            None,
        )
        .await;
    assert_eq!(last["items"].as_array().map(Vec::len), Some(1));
    assert!(last["links"].get("next").is_none());
}

#[tokio::test]
async fn the_hub_rowset_upserts_in_order_and_keeps_rows_before_the_first_bad_one() {
    let t = Tenant::start().await;
    let token = t.token().await;
    let row =
        |key: &str, email: &str| json!({"keys": {"ContactKey": key}, "values": {"Email": email}});
    let good = json!([
        row("a@example.com", "a@example.com"),
        row("b@example.com", "b@example.com")
    ]);
    let (status, answer) = t.call(Method::POST, HUB, &token, Some(good.clone())).await;
    assert_eq!(status, 200, "{answer}");
    // The fixture is a hand-written mock whose column names are `primaryKey` and `name`.
    assert_shape_but(
        &answer,
        &fixture("12-hub-rowset-upsert-success.json"),
        &["primaryKey", "name"],
    );
    assert_eq!(answer, good);
    let mixed = json!([
        row("c@example.com", "c@example.com"),
        row("d@example.com", "not an email"),
        row("e@example.com", "e@example.com"),
    ]);
    let (status, answer) = t.call(Method::POST, HUB, &token, Some(mixed)).await;
    assert_eq!(status, 400);
    assert_shape(&answer, &fixture("23-hub-rowset-400-10006-simplified.json"));
    assert_eq!(answer["errorcode"], 10006);
    let first = answer["additionalErrors"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        first.starts_with("Email: The value for column [Email] is not a valid email"),
        "{first}"
    );
    let stored: Vec<bool> = ["c@example.com", "d@example.com", "e@example.com"]
        .iter()
        .map(|k| t.sim.row(MID, CONTACTS_KEY, &[k]).is_some())
        .collect();
    assert_eq!(stored, [true, false, false]);
    let too_many: Vec<Value> = (0..51)
        .map(|i| row(&format!("r{i}@x.io"), &format!("r{i}@x.io")))
        .collect();
    let (status, _) = t
        .call(Method::POST, HUB, &token, Some(Value::Array(too_many)))
        .await;
    assert_eq!(status, 400);
}
