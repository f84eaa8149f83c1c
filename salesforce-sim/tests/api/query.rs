use crate::helpers::{assert_same_shape, error_code, fixture, org, TestOrg};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashSet;

fn last_names(body: &Value) -> Vec<String> {
    body["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["LastName"].as_str().unwrap_or("<null>").to_owned())
        .collect()
}

async fn people(t: &TestOrg) {
    t.sim
        .seed(
            "Contact",
            &[
                json!({"LastName": "Ng", "FirstName": "Ann", "Email": "ann@example.com", "Title": "CEO"}),
                json!({"LastName": "O'Brien", "FirstName": "Bob", "Email": "bob@example.com"}),
                json!({"LastName": "Smith", "FirstName": "Cy", "Email": "cy@example.org", "Title": "cto"}),
                json!({"LastName": "Smithers", "FirstName": "Di", "Email": "50%off@example.com", "Title": "CTO"}),
            ],
        )
        .expect("seeded");
}

#[tokio::test]
async fn a_field_list_query_has_the_recorded_shape() {
    let t = org().await;
    people(&t).await;
    let body = t.query("SELECT Email FROM Contact").await.json();
    assert_same_shape(&body, &fixture("query/contact_email_query.json"));
    assert_eq!(body["totalSize"], 4);
    let first = body["records"][0].as_object().expect("record");
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        ["attributes", "Email"],
        "attributes first, then fields in select order"
    );
}

#[tokio::test]
async fn no_rows_and_count_match_the_recordings() {
    let t = org().await;
    people(&t).await;
    assert_eq!(
        t.query("SELECT Id FROM Contact WHERE Email = 'nobody@example.com'")
            .await
            .json(),
        fixture("query/empty_result.json")
    );
    let count = t
        .query("select count() from Contact where Title = 'CTO'")
        .await
        .json();
    let recorded = fixture("composite/composite_count_queries_response.json");
    assert_same_shape(&count, &recorded["compositeResponse"][0]["body"]);
    assert_eq!(count["totalSize"], 2);
}

#[tokio::test]
async fn where_clauses_filter_as_soql_does() {
    let t = org().await;
    people(&t).await;
    let cases = [
        ("Email = 'ANN@example.com'", vec!["Ng"]),
        ("Title != 'CTO'", vec!["Ng", "O'Brien"]),
        ("Title = null", vec!["O'Brien"]),
        (
            "Email IN ('bob@example.com', 'CY@EXAMPLE.ORG')",
            vec!["O'Brien", "Smith"],
        ),
        (
            "Email NOT IN ('bob@example.com')",
            vec!["Ng", "Smith", "Smithers"],
        ),
        ("LastName LIKE 'smith%'", vec!["Smith", "Smithers"]),
        ("LastName LIKE 'Smith_rs'", vec!["Smithers"]),
        ("Email LIKE '50\\%%'", vec!["Smithers"]),
        ("LastName = 'O\\'Brien'", vec!["O'Brien"]),
        (
            "(Title = 'CTO' OR Title = 'CEO') AND FirstName != 'Cy'",
            vec!["Ng", "Smithers"],
        ),
        ("NOT (Title = 'CTO')", vec!["Ng", "O'Brien"]),
    ];
    for (filter, expected) in cases {
        let body = t
            .query(&format!(
                "SELECT LastName FROM Contact WHERE {filter} ORDER BY LastName"
            ))
            .await
            .json();
        assert_eq!(last_names(&body), expected, "{filter}");
    }
}

#[tokio::test]
async fn order_by_limit_and_offset_apply_in_order() {
    let t = org().await;
    people(&t).await;
    let body = t
        .query("SELECT LastName FROM Contact ORDER BY Title DESC NULLS LAST, LastName LIMIT 3")
        .await
        .json();
    assert_eq!(last_names(&body), ["Smith", "Smithers", "Ng"]);
    let body = t
        .query("SELECT LastName FROM Contact ORDER BY LastName DESC LIMIT 2 OFFSET 1")
        .await
        .json();
    assert_eq!(last_names(&body), ["Smith", "O'Brien"]);
}

#[tokio::test]
async fn unsupported_or_wrong_queries_are_refused_never_answered_wrongly() {
    let t = org().await;
    let recorded = fixture("composite/composite_count_queries_response.json");
    let bad_type = t.query("select count() from XYZZY").await;
    assert_eq!(bad_type.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad_type.json(),
        recorded["compositeResponse"][1]["body"],
        "same text as the recorded INVALID_TYPE"
    );
    let cases = [
        ("SELECT Id FROM Contact WHERE invalid", "MALFORMED_QUERY"),
        ("SELECT Id FROM Contact GROUP BY Email", "MALFORMED_QUERY"),
        (
            "SELECT Id FROM Contact WHERE CreatedDate > 2024-01-01T00:00:00Z",
            "MALFORMED_QUERY",
        ),
        ("SELECT Foo FROM Contact", "INVALID_FIELD"),
        ("SELECT Account.Name FROM Contact", "INVALID_FIELD"),
        (
            "SELECT Id FROM Contact WHERE Description = 'x'",
            "INVALID_FIELD",
        ),
        (
            "SELECT Id FROM Contact WHERE Email = 5",
            "INVALID_QUERY_FILTER_OPERATOR",
        ),
        (
            "SELECT Id FROM Contact WHERE Email = 'a\\%'",
            "MALFORMED_QUERY",
        ),
    ];
    for (soql, code) in cases {
        let reply = t.query(soql).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{soql}");
        assert_eq!(error_code(&reply.json()), code, "{soql}");
        assert!(
            reply.json()[0].get("fields").is_none(),
            "query errors carry no fields"
        );
    }
}

#[tokio::test]
async fn large_results_page_by_2000_through_next_records_url() {
    let t = org().await;
    t.sim.seed_contacts(4500).expect("seeded");
    let mut body = t.query("SELECT Id, Email FROM Contact").await.json();
    let mut ids = HashSet::new();
    let mut pages = 0;
    loop {
        pages += 1;
        assert_eq!(body["totalSize"], 4500);
        for r in body["records"].as_array().expect("records") {
            ids.insert(r["Id"].as_str().expect("id").to_owned());
        }
        if body["done"] == true {
            assert!(body.get("nextRecordsUrl").is_none());
            break;
        }
        assert_eq!(body["records"].as_array().map(Vec::len), Some(2000));
        let next = body["nextRecordsUrl"]
            .as_str()
            .expect("nextRecordsUrl")
            .to_owned();
        assert!(next.starts_with("/services/data/v62.0/query/01g"));
        body = t.get(&next).await.json();
    }
    assert_eq!((pages, ids.len()), (3, 4500));
    let stale = t.get("/query/01gNOPE-2000").await;
    assert_eq!(error_code(&stale.json()), "INVALID_QUERY_LOCATOR");
}

#[tokio::test]
async fn query_all_also_returns_deleted_rows() {
    let t = org().await;
    let ids = t
        .sim
        .seed(
            "Contact",
            &[json!({"LastName": "Gone"}), json!({"LastName": "Here"})],
        )
        .expect("seeded");
    t.call(
        Method::DELETE,
        &format!("/sobjects/Contact/{}", ids[0]),
        None,
    )
    .await;
    assert_eq!(
        t.query("SELECT Id FROM Contact").await.json()["totalSize"],
        1
    );
    let url = reqwest::Url::parse_with_params(
        &t.url("/queryAll/"),
        &[(
            "q",
            "SELECT LastName, IsDeleted FROM Contact ORDER BY LastName",
        )],
    )
    .expect("url");
    let body: Value = t
        .http
        .get(url)
        .bearer_auth(&t.token)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["totalSize"], 2);
    assert_eq!(body["records"][0]["IsDeleted"], true);
}

#[tokio::test]
async fn ids_match_in_15_or_18_characters() {
    let t = org().await;
    let ids = t
        .sim
        .seed(
            "Contact",
            &[
                json!({"LastName": "A"}),
                json!({"LastName": "B"}),
                json!({"LastName": "C"}),
            ],
        )
        .expect("seeded");
    let soql = format!(
        "SELECT LastName FROM Contact WHERE Id IN ('{}', '{}') ORDER BY LastName",
        ids[0],
        &ids[2][..15]
    );
    assert_eq!(last_names(&t.query(&soql).await.json()), ["A", "C"]);
    let none = t
        .query("SELECT Id FROM Contact WHERE Id = '003000000000000AAA'")
        .await
        .json();
    assert_eq!(none["totalSize"], 0);
    let bad = t.query("SELECT Id FROM Contact WHERE Id = 'short'").await;
    assert_eq!(error_code(&bad.json()), "INVALID_QUERY_FILTER_OPERATOR");
    let others = t
        .query(&format!(
            "SELECT LastName FROM Contact WHERE Id != '{}' ORDER BY LastName",
            ids[1]
        ))
        .await
        .json();
    assert_eq!(last_names(&others), ["A", "C"]);
}
