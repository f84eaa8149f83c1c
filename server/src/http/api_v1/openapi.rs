//! `GET /api/v1/openapi.json`: the API's OpenAPI 3.1 description, written by hand beside the handlers it
//! describes (a generator crate would be a large dependency for five operations). The integration tests
//! check that every route here answers.

use super::{MAX_BODY_BYTES, MAX_BULK};
use axum::Json;
use serde_json::{json, Value};
use shared::contact::fields::StandardField;
use shared::contact::query::{ContactPage, ContactQuery};

fn contact_schema() -> Value {
    let mut properties = serde_json::Map::new();
    properties.insert("id".into(), json!({ "type": "integer", "readOnly": true }));
    for field in StandardField::ALL {
        let schema = match field.key() {
            "email" => json!({ "type": "string", "format": "email" }),
            "date_of_birth" => json!({ "type": ["string", "null"], "format": "date" }),
            "marketing_opt_in" => json!({ "type": "boolean" }),
            "marketing_opt_in_at" => {
                json!({ "type": ["integer", "null"], "description": "Unix seconds" })
            }
            "created_at" | "updated_at" => {
                json!({ "type": "integer", "readOnly": true, "description": "Unix seconds" })
            }
            "tags" => json!({ "type": "array", "items": { "type": "string" } }),
            _ => json!({ "type": "string" }),
        };
        properties.insert(field.key().into(), schema);
    }
    properties.insert(
        "custom".into(),
        json!({ "type": "object", "description": "Custom property values by property name",
                "additionalProperties": { "type": ["string", "number", "boolean", "null"] } }),
    );
    json!({ "type": "object", "required": ["email"], "properties": properties })
}

fn error_response(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

pub async fn spec() -> Json<Value> {
    let email_param = json!({ "name": "email", "in": "path", "required": true, "schema": { "type": "string", "format": "email" } });
    Json(json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Komo CRM Sync API",
            "version": "1",
            "description": "Feed Komo contacts into Komo CRM Sync. Authenticate with a workspace API token \
                            (Account Settings → API tokens) as `Authorization: Bearer <token>`. \
                            Upserts match contacts by email, case-insensitively; a field left out keeps its \
                            stored value, a field sent as null or \"\" clears it."
        },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "bearer": [] }],
        "paths": {
            "/contacts/bulk": { "post": {
                "summary": format!("Upsert up to {MAX_BULK} contacts by email"),
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object", "required": ["contacts"],
                    "properties": { "contacts": { "type": "array", "maxItems": MAX_BULK, "items": { "$ref": "#/components/schemas/Contact" } } }
                } } } },
                "responses": {
                    "200": { "description": "Valid items saved; refused ones listed in `errors`",
                             "content": { "application/json": { "schema": { "$ref": "#/components/schemas/BulkResult" } } } },
                    "400": error_response("Malformed JSON"),
                    "401": error_response("Missing or invalid token"),
                    "413": error_response(&format!("Body over {MAX_BODY_BYTES} bytes or more than {MAX_BULK} contacts")),
                    "429": error_response("Too many bulk requests at once; `Retry-After` says when to try again")
                }
            } },
            "/contacts": { "get": {
                "summary": "One page of contacts (keyset pagination)",
                "parameters": [
                    { "name": "search", "in": "query", "schema": { "type": "string" }, "description": "Prefix of email, first or last name" },
                    { "name": "sort", "in": "query", "schema": { "enum": ["updated", "email", "name"] } },
                    { "name": "after", "in": "query", "schema": { "type": "string" }, "description": "`next` of the previous page" },
                    { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": ContactQuery::MAX_LIMIT } }
                ],
                "responses": {
                    "200": { "description": "A page", "content": { "application/json": { "schema": {
                        "type": "object", "required": ["total", "total_capped", "contacts", "next"], "properties": {
                            "total": { "type": "integer", "description": format!(
                                "Contacts matching the search (all contacts without one). A search stops \
                                 counting at {cap}: then `total` is {cap} and `total_capped` is true.",
                                cap = ContactPage::COUNT_CAP) },
                            "total_capped": { "type": "boolean", "description": format!(
                                "True when more than {} contacts match and `total` is only the cap",
                                ContactPage::COUNT_CAP) },
                            "contacts": { "type": "array", "items": { "$ref": "#/components/schemas/Contact" } },
                            "next": { "type": ["string", "null"] }
                        } } } } },
                    "401": error_response("Missing or invalid token")
                }
            } },
            "/contacts/{email}": {
                "get": { "summary": "One contact", "parameters": [email_param.clone()], "responses": {
                    "200": { "description": "The contact", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Contact" } } } },
                    "401": error_response("Missing or invalid token"),
                    "404": error_response("No such contact in this workspace")
                } },
                "delete": { "summary": "Delete one contact", "parameters": [email_param], "responses": {
                    "204": { "description": "Deleted" },
                    "401": error_response("Missing or invalid token"),
                    "404": error_response("No such contact in this workspace")
                } }
            },
            "/fields": { "get": { "summary": "The field catalog: standard fields and custom properties with their types",
                                  "responses": { "200": { "description": "The catalog" }, "401": error_response("Missing or invalid token") } } }
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Contact": contact_schema(),
                "BulkResult": { "type": "object", "properties": {
                    "saved": { "type": "integer" },
                    "failed": { "type": "integer" },
                    "results": { "type": "array", "items": { "type": "object", "properties": {
                        "index": { "type": "integer" }, "id": { "type": "integer" }, "email": { "type": "string" } } } },
                    "errors": { "type": "array", "items": { "type": "object", "properties": {
                        "index": { "type": "integer" }, "field": { "type": "string" }, "reason": { "type": "string" } } } }
                } },
                "Error": { "type": "object", "properties": { "error": { "type": "object", "properties": {
                    "code": { "type": "string" }, "message": { "type": "string" } } } } }
            }
        }
    }))
}
