//! A log-in from a device the account never used (SPEC §4): the device the log-in names,
//! checked, and the alert e-mailed to the login address in the log-in's transaction, at most
//! [`NEW_DEVICE_ALERTS_PER_HOUR`] an hour (the others counted, every one in the activity).

use std::net::IpAddr;

use espace_pro_contract::api::LoginRequest;
use time::{Duration, OffsetDateTime};

use crate::crypto::token_hash;
use crate::errors::AuthError;
use crate::kinds::AuditKind;
use crate::services::Services;
use crate::store::{AccountRow, AuditEvent, Store, Tx, ts};

/// At most this many new-device alerts an account's login address gets in an hour: someone who
/// knows the password cannot flood the mailbox (every such log-in is still in the activity).
pub const NEW_DEVICE_ALERTS_PER_HOUR: i64 = 5;

/// The log-in's device, checked: its id's hash (what `known_devices` keeps) and its name.
pub struct Device {
    pub hash: Option<Vec<u8>>,
    pub name: Option<String>,
}

pub fn device_of(req: &LoginRequest) -> Result<Device, AuthError> {
    let hash = match &req.device_id {
        Some(id) if !espace_pro_contract::api::device_id_acceptable(id) => {
            return Err(AuthError::InvalidDevice("device_id"));
        }
        Some(id) => Some(token_hash(id)),
        None => None,
    };
    let name = match req.device_name.as_deref().map(str::trim) {
        Some(name) if !espace_pro_contract::api::device_name_acceptable(name) => {
            return Err(AuthError::InvalidDevice("device_name"));
        }
        Some("") | None => None,
        Some(name) => Some(name.to_owned()),
    };
    Ok(Device { hash, name })
}

/// When the log-in's device is new to the account (or it does not say which it is), records it in
/// the activity and writes the alert in `tx` (the hour's share allowing).
/// Whether it was new (`tx` may hold a mail: commit it with `Services::commit_mail`).
///
/// `was_new`: what remembering it said (`Store::open_session_in`, with the session).
pub async fn tell_if_new(
    svc: &Services,
    tx: &mut Tx,
    account: &AccountRow,
    device: &Device,
    was_new: bool,
    client: IpAddr,
    now: OffsetDateTime,
) -> Result<bool, AuthError> {
    let new_device = was_new && svc.config.new_device_alerts();
    if !new_device {
        return Ok(false);
    }
    // Only the alerts e-mailed count: log-ins that keep coming cannot keep the limit shut.
    let alerts = Store::count_mails_in(
        tx,
        account.id,
        crate::mail::templates::NEW_DEVICE_SUBJECT,
        ts(now - Duration::HOUR),
        NEW_DEVICE_ALERTS_PER_HOUR,
    )
    .await?;
    Store::audit(
        tx,
        &AuditEvent::new(account.id, AuditKind::NewDevice, now)
            .from(client)
            .detail(device.name.clone().unwrap_or_default()),
    )
    .await?;
    if alerts < NEW_DEVICE_ALERTS_PER_HOUR {
        let mail = crate::mail::templates::new_device(
            &svc.config.public_name,
            &svc.config.support.hotline,
            device.name.as_deref(),
            &client.to_canonical().to_string(),
            now,
            &svc.config.time_zone,
        );
        Store::enqueue_mail(
            tx,
            account.id,
            &account.login_email,
            &mail.subject,
            &mail.body,
            ts(now),
        )
        .await?;
    } else {
        svc.metrics.new_device_alert_held();
    }
    Ok(true)
}
