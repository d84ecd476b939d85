//! The OpenAPI document: generated from the handlers' annotations, completed with what the
//! layers around them answer.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use super::{constraints, routes, security};
use crate::services::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Espace Pro account service", description = "Log-in details of professional accounts (SPEC §3)."),
    modifiers(&BearerAuth),
    components(schemas(espace_pro_contract::ErrorBody, espace_pro_contract::ErrorCode))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document, generated from the handlers' annotations, with the answers every
/// operation can give besides its own (see [`complete_answers`]) and the constraints on request
/// fields under `policy` (see [`constraints`]).
pub fn openapi(policy: &espace_pro_contract::PasswordPolicy) -> serde_json::Value {
    let mut doc = serde_json::to_value(api_router().split_for_parts().1).unwrap_or_default();
    complete_answers(&mut doc);
    constraints::constrain_requests(&mut doc, policy);
    doc
}

/// Adds what the layers around the handlers answer, so that a client (or a fuzzer) reading the
/// document meets no status it does not list: 400, 413 and 415 on every body; 408 and 503 on
/// every operation; 401 and 403 (`password_expired`, `reauthentication_required`) where a token
/// is needed; 429 on every change; and `Retry-After` on every 429.
fn complete_answers(doc: &mut serde_json::Value) {
    use serde_json::json;
    let error = |description: &str| {
        json!({"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}})
    };
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            let has_body = operation.get("requestBody").is_some();
            let with_token = operation.get("security").is_some();
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(|r| r.as_object_mut())
            else {
                continue;
            };
            let mut add = |status: &str, description: &str| {
                responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error(description));
            };
            if has_body {
                add(
                    "400",
                    "invalid_request: not JSON, not an object, or fields of the wrong kind",
                );
                add("413", "payload_too_large");
                add(
                    "415",
                    "unsupported_media_type: the body must be application/json",
                );
            }
            if with_token {
                add("401", "unauthorized: no live session");
                add(
                    "403",
                    "password_expired, reauthentication_required or reauthentication_failed",
                );
            }
            if method != "get" {
                add("429", "too_many_attempts");
            }
            add("408", "the request took too long");
            add(
                "503",
                "unavailable: the database is busy or cannot be reached; try again",
            );
            for status in ["429", "503"] {
                if let Some(answer) = responses.get_mut(status).and_then(|r| r.as_object_mut()) {
                    answer.insert(
                        "headers".into(),
                        json!({"Retry-After": {"description": "Seconds to wait before trying again",
                            "schema": {"type": "integer", "minimum": 1}}}),
                    );
                }
            }
        }
    }
}

pub(super) fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(utoipa_axum::routes!(routes::service_info))
        .routes(utoipa_axum::routes!(routes::create_session))
        .routes(utoipa_axum::routes!(routes::delete_current_session))
        .routes(utoipa_axum::routes!(routes::reauthenticate))
        .routes(utoipa_axum::routes!(routes::get_account))
        .routes(utoipa_axum::routes!(routes::change_password))
        .routes(utoipa_axum::routes!(
            routes::request_email_change,
            routes::cancel_email_change
        ))
        .routes(utoipa_axum::routes!(routes::create_captcha))
        .routes(utoipa_axum::routes!(routes::verify_activation_code))
        .routes(utoipa_axum::routes!(routes::complete_activation))
        .routes(utoipa_axum::routes!(
            routes::get_profile,
            routes::update_profile
        ))
        .routes(utoipa_axum::routes!(routes::get_summary))
        .routes(utoipa_axum::routes!(routes::get_activity))
        .routes(utoipa_axum::routes!(
            security::list_sessions,
            security::end_other_sessions
        ))
        .routes(utoipa_axum::routes!(security::end_session))
        .routes(utoipa_axum::routes!(security::export_account))
        .routes(utoipa_axum::routes!(
            security::second_factor_state,
            security::start_second_factor,
            security::disable_second_factor
        ))
        .routes(utoipa_axum::routes!(security::confirm_second_factor))
        .routes(utoipa_axum::routes!(routes::request_recovery))
        .routes(utoipa_axum::routes!(routes::recovery_question))
        .routes(utoipa_axum::routes!(routes::complete_recovery))
        .routes(utoipa_axum::routes!(super::healthz))
        .routes(utoipa_axum::routes!(super::readyz))
}
