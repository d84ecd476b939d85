//! What the service checks in request bodies, written into the OpenAPI document from the
//! contract's own numbers (and the password policy in force), so that a client or a fuzzer knows
//! what is accepted without reading the code: lengths, `format: email`, the shape of codes.
//! Whatever a schema cannot say (a weak password, a wrong code, a confirmation that differs) is
//! still answered 422 by the service.

use espace_pro_contract::PasswordPolicy;
use espace_pro_contract::api::{
    ADDRESS_MAX_CHARS, CAPTCHA_FIELD_MAX_CHARS, DEVICE_ID_PATTERN, DEVICE_NAME_MAX_CHARS,
    PHONE_MAX_CHARS, SECURITY_ANSWER_MAX_CHARS, SECURITY_QUESTION_MAX_CHARS, TOKEN_MAX_CHARS,
};
use espace_pro_contract::code::CODE_LENGTH;
use espace_pro_contract::email::MAX_EMAIL_CHARS;
use serde_json::{Value, json};

/// The constraints of a request field, by its name (the same name means the same rule in every
/// request).
fn rule(field: &str, policy: &PasswordPolicy) -> Option<Value> {
    let text = |max: usize| json!({"type": "string", "maxLength": max});
    Some(match field {
        "email" | "new_email" | "confirm_email" => {
            json!({"type": "string", "format": "email", "minLength": 3, "maxLength": MAX_EMAIL_CHARS})
        }
        "new_password" | "confirm_password" => json!({"type": "string", "format": "password",
            "minLength": policy.min_chars, "maxLength": policy.max_chars}),
        "password" => json!({"type": "string", "format": "password",
            "minLength": 1, "maxLength": policy.max_chars}),
        // Read only when the session's password entry is too old: any string is taken otherwise.
        "current_password" => {
            json!({"type": "string", "format": "password", "maxLength": policy.max_chars})
        }
        "code" => json!({"type": "string", "pattern": format!("^[A-Za-z]{{{CODE_LENGTH}}}$")}),
        "ticket" => json!({"type": "string", "minLength": 1, "maxLength": TOKEN_MAX_CHARS}),
        "captcha_id" | "captcha_answer" => {
            json!({"type": "string", "minLength": 1, "maxLength": CAPTCHA_FIELD_MAX_CHARS})
        }
        "phone" => text(PHONE_MAX_CHARS),
        "address" => text(ADDRESS_MAX_CHARS),
        "security_question" => text(SECURITY_QUESTION_MAX_CHARS),
        "security_answer" => text(SECURITY_ANSWER_MAX_CHARS),
        "device_id" => json!({"type": "string", "pattern": DEVICE_ID_PATTERN}),
        "device_name" => text(DEVICE_NAME_MAX_CHARS),
        // The authenticator's 6 digits, or a recovery code (`ABCD-EFGH-JKLM-NPQR`), loosely
        // typed.
        "totp_code" | "recovery_code" | "second_factor_code" => {
            // Empty is taken as absent, as `current_password`.
            json!({"type": "string", "maxLength": espace_pro_contract::api::SECOND_FACTOR_CODE_MAX_CHARS})
        }
        _ => return None,
    })
}

/// The schema a property gets: the rule, nullable when the property was (`"type": [.., "null"]`
/// or `oneOf: [null, ..]`), with its description kept.
fn constrained(old: &Value, mut rule: Value) -> Value {
    let nullable = old["type"]
        .as_array()
        .is_some_and(|t| t.iter().any(|t| t == "null"))
        || old["oneOf"]
            .as_array()
            .is_some_and(|o| o.iter().any(|s| s["type"] == "null"));
    if nullable {
        rule["type"] = json!(["string", "null"]);
    }
    let description = old.get("description").or_else(|| {
        old["oneOf"]
            .as_array()?
            .iter()
            .find_map(|s| s.get("description"))
    });
    if let Some(d) = description {
        rule["description"] = d.clone();
    }
    rule
}

/// Rewrites the properties of every request body schema (`…Request`, `ProfileUpdate`).
pub fn constrain_requests(doc: &mut Value, policy: &PasswordPolicy) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (name, schema) in schemas.iter_mut() {
        if !(name.ends_with("Request") || name == "ProfileUpdate") {
            continue;
        }
        let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
            continue;
        };
        // The second factor's `code` is not an activation code.
        let second_factor = name.starts_with("Totp");
        for (field, property) in properties.iter_mut() {
            let field = if second_factor && field == "code" {
                "second_factor_code"
            } else {
                field.as_str()
            };
            if let Some(rule) = rule(field, policy) {
                *property = constrained(property, rule);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_field_has_its_rule() {
        let policy = PasswordPolicy {
            min_chars: 24,
            ..PasswordPolicy::default()
        };
        let doc = crate::http::openapi(&policy);
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let mut unconstrained = Vec::new();
        for (name, schema) in schemas {
            if !(name.ends_with("Request") || name == "ProfileUpdate") {
                continue;
            }
            for (field, property) in schema["properties"].as_object().unwrap() {
                if property.get("maxLength").is_none() && property.get("pattern").is_none() {
                    unconstrained.push(format!("{name}.{field}"));
                }
            }
        }
        assert!(unconstrained.is_empty(), "{unconstrained:?}");
        let change = &schemas["PasswordChangeRequest"]["properties"];
        assert_eq!(change["new_password"]["minLength"], 24);
        assert_eq!(
            change["current_password"]["type"],
            json!(["string", "null"])
        );
        let login = &schemas["LoginRequest"]["properties"]["email"];
        assert_eq!(login["format"], "email");
        assert_eq!(login["maxLength"], MAX_EMAIL_CHARS);
        assert_eq!(
            schemas["VerifyCodeRequest"]["properties"]["code"]["pattern"],
            "^[A-Za-z]{12}$"
        );
    }
}
