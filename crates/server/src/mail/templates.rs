//! The e-mails' subjects and texts, as the guide writes them, with the service's public name where
//! the guide names the tax website.

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
         {public_name} ne vous sollicite jamais (que ce soit par mail, par SMS ou par téléphone) \
         pour vous demander de communiquer de quelque manière que ce soit vos identifiants ou vos \
         coordonnées bancaires. Si vous recevez un tel message, ne cliquez sur aucun lien, \
         n'appelez pas le numéro indiqué et ne tenez pas compte des informations qu'il contient \
         car il s'agit sans doute d'un message de phishing.\n"
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
             de confiance présente dans vos informations personnelles (\"Gérer vos coordonnées\").\n\n\
             Si vous n'êtes pas à l'origine de cette modification, utilisez sans attendre la \
             procédure \"Mot de passe oublié\" et contactez l'assistance.\n\n{}",
            long_french(valid_until),
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
        assert!(m.body.contains("message de phishing"));
    }
}
