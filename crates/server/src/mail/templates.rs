//! The e-mails' subjects and texts, as the guide writes them, with the service's public name where
//! the guide names the tax website.

use espace_pro_contract::TimeZone;
use time::Date;

use crate::dates::long_french;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailText {
    pub subject: String,
    pub body: String,
}

fn closing(public_name: &str) -> String {
    format!(
        "L'équipe {public_name} vous remercie de l'intérêt que vous portez à ses services.\n\n\
         Si vous avez une question particulière, nous vous invitons à ne pas répondre à l'adresse \
         électronique de ce message mais à vous connecter à {public_name}, où vous trouverez les \
         réponses aux questions les plus fréquentes.\n\n\
         {public_name} ne vous sollicite jamais (que ce soit par courriel, par SMS ou par téléphone) \
         pour vous demander de communiquer de quelque manière que ce soit vos identifiants ou vos \
         coordonnées bancaires. Si vous recevez un tel message, ne cliquez sur aucun lien, \
         n'appelez pas le numéro indiqué et ne tenez pas compte des informations qu'il contient \
         car il s'agit sans doute d'une tentative d'hameçonnage.\n"
    )
}

/// "Espace professionnel - Modification du mot de passe" (guide, section 3).
pub fn password_changed(public_name: &str, valid_until: Date) -> MailText {
    MailText {
        subject: "Espace professionnel - Modification du mot de passe".into(),
        body: format!(
            "Bonjour,\n\n\
             Vous avez modifié votre mot de passe ; cette demande a bien été prise en compte.\n\n\
             Celui-ci est valable jusqu'au {}.\n\n\
             En cas d'oubli de votre mot de passe, vous devrez saisir votre réponse à la question \
             de confiance présente dans vos informations personnelles (« Gérer vos coordonnées »).\n\n\
             Si vous n'êtes pas à l'origine de cette modification, utilisez sans attendre la \
             procédure « Mot de passe oublié » et contactez l'assistance.\n\n{}",
            long_french(valid_until),
            closing(public_name)
        ),
    }
}

/// "Espace professionnel - Création ou modification de l'espace" (guide, section 4.1), to the new
/// address, with the activation code.
pub fn activation_code(public_name: &str, code: &str) -> MailText {
    let link = espace_pro_contract::link::Link::activation(code);
    MailText {
        subject: "Espace professionnel - Création ou modification de l'espace".into(),
        body: format!(
            "Vous avez demandé la création d'un espace professionnel ou vous y avez apporté une \
             modification. Cette demande a bien été prise en compte. Votre espace professionnel \
             sera actif lorsque vous aurez saisi le code suivant :\n\n\
             {code}\n\n\
             Remarque : ce code n'est pas un mot de passe. Il ne doit être utilisé qu'une seule \
             fois pour activer votre espace professionnel.\n\n\
             Si l'application {public_name} est installée sur cet ordinateur, ce lien l'ouvre à \
             l'activation, le code déjà saisi :\n\n\
             {link}\n\n\
             Sinon, pour activer votre espace professionnel, veuillez suivre la procédure \
             suivante :\n\n\
             1. ouvrez l'application {public_name}\n\
             2. sur l'écran de connexion, cliquez sur « Activer mon espace / mes services »\n\
             3. saisissez le code d'activation reçu ci-dessus et validez\n\
             4. saisissez l'adresse électronique de connexion à l'espace et validez\n\n\
             Vous disposez d'un délai de 48 h maximum pour activer votre espace \
             professionnel à compter de l'envoi de ce message.\n\n\
             Si vous n'êtes pas à l'origine de cette demande, ne saisissez pas ce code et \
             ignorez ce message.\n\n{}",
            closing(public_name)
        ),
    }
}

/// "le 28/11/2026 à 00 h 30 (heure de Paris)": the time in the service's zone, named.
fn when(at: time::OffsetDateTime, zone: &TimeZone) -> String {
    let local = zone.local(at);
    format!(
        "le {} à {:02} h {:02} ({})",
        crate::dates::short_french(local.date()),
        local.hour(),
        local.minute(),
        zone.label_fr()
    )
}

/// To the old address when a change is requested: what, when, and what to do if it was not the
/// user.
pub fn email_change_notice(
    public_name: &str,
    support_hotline: &str,
    new_email: &str,
    with_password: bool,
    at: time::OffsetDateTime,
    zone: &TimeZone,
) -> MailText {
    let password = if with_password {
        " La demande comprend aussi un nouveau mot de passe, qui prendra effet en même temps."
    } else {
        ""
    };
    MailText {
        subject:
            "Espace professionnel - Demande de modification de l'adresse électronique de connexion"
                .into(),
        body: format!(
            "Bonjour,\n\n\
             Une demande de modification de l'adresse électronique de connexion de votre espace \
             professionnel a été faite {} : la nouvelle adresse demandée est {new_email}.{password}\n\n\
             Un code d'activation a été envoyé à cette nouvelle adresse. Tant qu'il n'a pas été \
             saisi, seule votre adresse actuelle permet de vous connecter ; il n'est plus valable \
             après 48 h.\n\n\
             Si vous n'êtes pas à l'origine de cette demande : connectez-vous avec votre adresse \
             actuelle, annulez la demande dans « Gérer votre adresse électronique de connexion / \
             votre mot de passe », changez votre mot de passe, puis contactez l'assistance au \
             {support_hotline}.\n\n{}",
            when(at, zone),
            closing(public_name)
        ),
    }
}

/// To the login address when a credential change (new password, forgotten password) ends a
/// pending change of address: the code sent to the new address no longer works.
pub fn pending_change_ended(public_name: &str, support_hotline: &str, new_email: &str) -> MailText {
    MailText {
        subject: "Espace professionnel - Demande de modification de l'adresse électronique annulée"
            .into(),
        body: format!(
            "Bonjour,\n\n\
             Le mot de passe de votre espace professionnel vient d'être changé : la demande de \
             modification de l'adresse électronique de connexion vers {new_email} qui était en \
             attente est annulée, et le code d'activation envoyé à cette adresse ne fonctionne \
             plus.\n\n\
             Si vous souhaitez toujours changer d'adresse, connectez-vous et faites une nouvelle \
             demande. Si vous n'êtes pas à l'origine de cette demande, contactez l'assistance au \
             {support_hotline}.\n\n{}",
            closing(public_name)
        ),
    }
}

/// To the login address when the pending change is cancelled from the app.
pub fn email_change_cancelled(
    public_name: &str,
    support_hotline: &str,
    new_email: &str,
    at: time::OffsetDateTime,
    zone: &TimeZone,
) -> MailText {
    MailText {
        subject: "Espace professionnel - Demande de modification de l'adresse électronique annulée"
            .into(),
        body: format!(
            "Bonjour,\n\n\
             La demande de modification de l'adresse électronique de connexion de votre espace \
             professionnel vers {new_email} a été annulée {}. Le code d'activation envoyé à cette \
             adresse ne fonctionne plus ; votre adresse de connexion reste celle-ci.\n\n\
             Si vous n'êtes pas à l'origine de cette annulation, changez votre mot de passe et \
             contactez l'assistance au {support_hotline}.\n\n{}",
            when(at, zone),
            closing(public_name)
        ),
    }
}

/// To the old address once the change is activated.
pub fn email_changed_notice(
    public_name: &str,
    support_hotline: &str,
    new_email: &str,
    at: time::OffsetDateTime,
    zone: &TimeZone,
) -> MailText {
    MailText {
        subject: "Espace professionnel - Adresse électronique de connexion modifiée".into(),
        body: format!(
            "Bonjour,\n\n\
             L'adresse électronique de connexion de votre espace professionnel a été remplacée \
             {} par {new_email}. Cette adresse-ci ne permet plus de vous connecter.\n\n\
             Si vous n'êtes pas à l'origine de cette modification, contactez sans attendre \
             l'assistance au {support_hotline}.\n\n{}",
            when(at, zone),
            closing(public_name)
        ),
    }
}

/// To the login address when the account is opened from a device it was never opened from
/// (SPEC §4): when, from what and where, and what to do if it was not the person.
pub const NEW_DEVICE_SUBJECT: &str = "Nouvelle connexion à votre espace professionnel";

pub fn new_device(
    public_name: &str,
    support_hotline: &str,
    device_name: Option<&str>,
    client_ip: &str,
    at: time::OffsetDateTime,
    zone: &TimeZone,
) -> MailText {
    // The name is the one the device gave itself: quoted as such, after the address.
    let device = match device_name {
        Some(name) => format!("« {name} » (le nom que l'appareil s'est donné)"),
        None => "aucun (ce n'est pas l'application Espace Pro)".to_owned(),
    };
    MailText {
        subject: NEW_DEVICE_SUBJECT.into(),
        body: format!(
            "Bonjour,\n\n\
             Votre espace professionnel a été ouvert {} depuis un appareil qui ne l'avait \
             jamais été :\n\n\
             - adresse IP : {client_ip}\n\
             - nom de l'appareil : {device}\n\n\
             Si c'était vous, vous n'avez rien à faire.\n\n\
             Si ce n'était pas vous, quelqu'un connaît votre mot de passe : changez-le sans \
             attendre (procédure « Mot de passe oublié » si vous ne pouvez plus vous connecter), \
             déconnectez cet appareil depuis « Appareils connectés », et contactez l'assistance \
             au {support_hotline}.\n\n{}",
            when(at, zone),
            closing(public_name)
        ),
    }
}

/// The second factor turned on or off, told to the login address, with where from.
pub fn second_factor(
    public_name: &str,
    support_hotline: &str,
    on: bool,
    client_ip: &str,
    at: time::OffsetDateTime,
    zone: &TimeZone,
) -> MailText {
    let (subject, what, then) = if on {
        (
            "Double authentification activée sur votre espace professionnel",
            "la double authentification a été activée",
            "Désormais, chaque connexion demande aussi le code de votre application \
             d'authentification, ou l'un de vos codes de secours. Gardez ces codes en lieu sûr.",
        )
    } else {
        (
            "Double authentification désactivée sur votre espace professionnel",
            "la double authentification a été désactivée",
            "Désormais, votre mot de passe suffit pour vous connecter. Vous pouvez la réactiver \
             à tout moment depuis « Double authentification ».",
        )
    };
    MailText {
        subject: subject.into(),
        body: format!(
            "Bonjour,\n\n\
             Sur votre espace professionnel, {what} {} (adresse IP : {client_ip}).\n\n\
             {then}\n\n\
             Si ce n'était pas vous, quelqu'un a accès à votre espace : contactez sans attendre \
             l'assistance au {support_hotline}, puis changez votre mot de passe et déconnectez \
             les autres appareils depuis « Appareils connectés ».\n\n{}",
            when(at, zone),
            closing(public_name)
        ),
    }
}

pub const WRONG_CODE_SUBJECT: &str =
    "Code de double authentification erroné sur votre espace professionnel";

/// A wrong second-factor code after a right password (the first in an hour): someone has the
/// password.
pub fn wrong_second_factor_code(
    public_name: &str,
    support_hotline: &str,
    client_ip: &str,
    at: time::OffsetDateTime,
    zone: &TimeZone,
) -> MailText {
    MailText {
        subject: WRONG_CODE_SUBJECT.into(),
        body: format!(
            "Bonjour,\n\n\
             Votre mot de passe a été saisi correctement {} (adresse IP : {client_ip}), mais \
             le code de double authentification qui suivait était erroné.\n\n\
             Si c'était vous, vous n'avez rien à faire.\n\n\
             Si ce n'était pas vous, quelqu'un connaît votre mot de passe : changez-le sans \
             attendre, et contactez l'assistance au {support_hotline}. La double \
             authentification a bloqué cette tentative.\n\n{}",
            when(at, zone),
            closing(public_name)
        ),
    }
}

/// "Mot de passe oublié": the one-time recovery code, to the login address.
pub fn recovery_code(public_name: &str, code: &str, validity_minutes: u32) -> MailText {
    let link = espace_pro_contract::link::Link::recovery(code);
    MailText {
        subject: "Espace professionnel - Mot de passe oublié".into(),
        body: format!(
            "Bonjour,\n\n\
             Vous avez demandé à choisir un nouveau mot de passe pour votre espace \
             professionnel. Saisissez le code suivant, puis la réponse à votre question de \
             confiance :\n\n\
             {code}\n\n\
             Remarque : ce code n'est pas un mot de passe. Il ne peut être utilisé qu'une seule \
             fois, pendant {validity_minutes} minutes.\n\n\
             Si l'application {public_name} est installée sur cet ordinateur, ce lien l'ouvre à \
             cette étape, le code déjà saisi :\n\n\
             {link}\n\n\
             Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de \
             passe actuel reste valable.\n\n{}",
            closing(public_name)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn password_mail_has_the_guides_subject_date_and_warning() {
        let m = password_changed("Espace Pro", date!(2026 - 08 - 24));
        assert_eq!(
            m.subject,
            "Espace professionnel - Modification du mot de passe"
        );
        assert!(
            m.body
                .contains("Celui-ci est valable jusqu'au 24 août 2026.")
        );
        assert!(m.body.contains("tentative d'hameçonnage"));
    }

    #[test]
    fn activation_mail_carries_the_code_on_its_own_line() {
        let m = activation_code("Espace Pro", "mHPstewGkBYj");
        assert_eq!(
            m.subject,
            "Espace professionnel - Création ou modification de l'espace"
        );
        assert!(m.body.contains("\n\nmHPstewGkBYj\n\n"));
        assert!(m.body.contains("48 h maximum"));
        // The link that opens the app at the activation, the code filled in.
        assert!(
            m.body
                .contains("\n\nespace-pro://activation?code=mHPstewGkBYj\n\n")
        );
        let r = recovery_code("Espace Pro", "mHPstewGkBYj", 60);
        assert!(
            r.body
                .contains("\n\nespace-pro://recovery?code=mHPstewGkBYj\n\n")
        );
    }
}
