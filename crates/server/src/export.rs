//! "Télécharger mes données" (SPEC §4): everything the service keeps about the account, for a
//! session whose password was just entered (it holds the security answer).

use espace_pro_contract::api::{
    AccountExport, ActivityEvent, Dossier, ExportedEmailChange, ExportedMail, ExportedRecovery,
    ExportedSession, Instant,
};

use crate::auth::{Fresh, require_account};
use crate::errors::AuthError;
use crate::profile::summary_data;
use crate::services::Services;
use crate::store::from_ts;

pub async fn export(svc: &Services, fresh: Fresh<'_>) -> Result<AccountExport, AuthError> {
    let account = require_account(&svc.store, fresh.session()).await?;
    let id = account.id;
    let at = |t: i64| Instant(from_ts(t));
    let store = &svc.store;
    let changes = store.export_changes(id).await?;
    Ok(AccountExport {
        generated_at: svc.now(),
        identity: summary_data(&fresh, svc, &account).map_err(AuthError::Fault)?,
        created_at: from_ts(account.created_at),
        password_changed_at: from_ts(account.password_changed_at),
        password_valid_until: account.password_valid_until.clone(),
        dossiers: store
            .dossiers(id)
            .await?
            .into_iter()
            .map(|(siren, name)| Dossier { siren, name })
            .collect(),
        sessions: store
            .export_sessions(id)
            .await?
            .into_iter()
            .map(
                |(id, device_name, client_ip, created, seen, expires, revoked)| ExportedSession {
                    id,
                    device_name,
                    client_ip,
                    created_at: at(created),
                    last_seen_at: at(seen),
                    expires_at: at(expires),
                    ended_at: revoked.map(at),
                },
            )
            .collect(),
        devices_first_seen: store
            .export_devices(id)
            .await?
            .into_iter()
            .map(at)
            .collect(),
        activity: store
            .export_events(id)
            .await?
            .into_iter()
            .map(|(kind, when, client_ip, detail)| ActivityEvent {
                label: kind.label_fr().to_owned(),
                label_en: kind.label_en().to_owned(),
                kind: kind.name(),
                at: from_ts(when),
                client_ip,
                device_name: (kind.names_a_device() && !detail.is_empty()).then_some(detail),
            })
            .collect(),
        email_changes: changes
            .into_iter()
            .map(
                |(new_email, requested, expires, state, ended)| ExportedEmailChange {
                    new_email,
                    requested_at: at(requested),
                    expires_at: at(expires),
                    state,
                    ended_at: ended.map(at),
                },
            )
            .collect(),
        password_recoveries: store
            .export_recoveries(id)
            .await?
            .into_iter()
            .map(|(requested, expires, state, ended)| ExportedRecovery {
                requested_at: at(requested),
                expires_at: at(expires),
                state,
                ended_at: ended.map(at),
            })
            .collect(),
        emails: store
            .export_mail(id)
            .await?
            .into_iter()
            .map(|(to, subject, created, sent)| ExportedMail {
                to,
                subject,
                created_at: at(created),
                sent_at: sent.map(at),
            })
            .collect(),
        second_factor: crate::second_factor::state(svc, id).await?,
    })
}
