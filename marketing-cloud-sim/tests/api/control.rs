use crate::helpers::{Tenant, MID};
use serde_json::{json, Value};

#[tokio::test]
async fn the_control_api_creates_fills_and_reads_a_data_extension_and_refuses_a_key_in_use() {
    let t = Tenant::start().await;
    let create = json!({
        "name": "Leads", "key": "Leads",
        "fields": [
            {"name": "Email", "type": "EmailAddress", "isPrimaryKey": true},
            {"name": "Score", "type": "Decimal", "length": 6, "scale": 2, "defaultValue": "1"},
        ],
        "sendableField": "Email",
    });
    let post = |path: &str, body: &Value| t.http.post(t.url(path)).json(body).send();
    let created = post("/__sim/dataextensions", &create)
        .await
        .expect("create");
    assert_eq!(created.status().as_u16(), 201);
    let again = post("/__sim/dataextensions", &create)
        .await
        .expect("create again");
    assert_eq!(again.status().as_u16(), 400, "the key is in use");
    let seed = json!({"mid": MID, "items": [{"Email": "a@example.com"}, {"Email": "nope"}]});
    let seeded: Value = post("/__sim/dataextensions/Leads/rows", &seed)
        .await
        .expect("seed")
        .json()
        .await
        .expect("JSON");
    assert_eq!(seeded, json!({"ok": 1, "failed": 1}));
    let rows: Value = t
        .http
        .get(t.url("/__sim/dataextensions/leads/rows"))
        .send()
        .await
        .expect("rows")
        .json()
        .await
        .expect("JSON");
    assert_eq!(rows, json!([{"Email": "a@example.com", "Score": "1.00"}]));
    let missing = post("/__sim/dataextensions/Nope/rows", &json!({"items": []}))
        .await
        .expect("seed");
    assert_eq!(missing.status().as_u16(), 400);
}
