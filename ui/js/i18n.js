// Every text of the screens, French (the guide's wording) and English. Each entry is
// [français, English]; `{name}` placeholders must appear in both.

export const MESSAGES = {
  'app.name': ['Espace Pro', 'Espace Pro'],
  'app.skip': ['Aller au contenu', 'Skip to content'],
  'app.menu': ["Menu de l'application", 'Application menu'],
  'app.demo': ['Mode démo', 'Demo mode'],
  'app.help': ['Dépannage', 'Troubleshooting'],
  'app.mailbox': ['Courriels (démo)', 'E-mails (demo)'],
  'app.lang': ['English', 'Français'],
  'app.quit': ['Quitter', 'Log out'],
  'app.quit_all': ['Tout quitter', 'Log out of all accounts'],
  'app.switch': ['Changer de compte', 'Switch account'],
  'update.title': ['Mise à jour disponible', 'Update available'],
  'update.version': ['Espace Pro {version} est disponible (vous utilisez la version {current}).', 'Espace Pro {version} is available (you are using version {current}).'],
  'update.notes': ['Nouveautés : {notes}', 'What is new: {notes}'],
  'update.install': ['Installer la mise à jour', 'Install the update'],
  'update.later': ['Plus tard', 'Later'],
  'update.close': ['Fermer', 'Close'],
  'update.announce': ['Mise à jour disponible : version {version}.', 'Update available: version {version}.'],
  'update.installing': ['Téléchargement et vérification de la signature, puis installation : le système peut demander le mot de passe administrateur…', 'Downloading and checking the signature, then installing: the system may ask for the administrator password…'],
  'update.installed': ['Version {version} installée. Espace Pro redémarre…', 'Version {version} installed. Espace Pro is restarting…'],
  'update.up_to_date': ['Espace Pro est à jour (version {version}).', 'Espace Pro is up to date (version {version}).'],
  'settings.updates': ['Mises à jour', 'Updates'],
  'settings.updates_at_start': ['Rechercher les mises à jour au démarrage', 'Look for updates at start'],
  'settings.updates_now': ['Rechercher maintenant', 'Look now'],
  'settings.updates_saved_on': ['Les mises à jour seront recherchées au démarrage.', 'Updates will be looked for at start.'],
  'settings.updates_saved_off': ['Les mises à jour ne seront plus recherchées au démarrage.', 'Updates will no longer be looked for at start.'],
  'accounts.title': ['Comptes utilisés sur cet ordinateur', 'Accounts used on this computer'],
  'accounts.hint': ["Aucun mot de passe n'est conservé : une session ouverte reprend sans le redemander, sinon le mot de passe du compte vous est demandé.", 'No password is kept: an open session resumes without asking for it again; otherwise you are asked for the account’s password.'],
  'accounts.number': ["N° d'abonné : {number}", 'Subscriber no.: {number}'],
  'accounts.signed_in': ['session ouverte', 'session open'],
  'accounts.use': ['Continuer', 'Continue'],
  'accounts.use_label': ['Continuer avec {email}', 'Continue with {email}'],
  'accounts.forget': ['Oublier', 'Forget'],
  'accounts.forget_label': ['Oublier {email} sur cet ordinateur', 'Forget {email} on this computer'],
  'accounts.add': ['Se connecter à un autre compte', 'Log in to another account'],
  'accounts.resumed': ['Session reprise : {email}.', 'Session resumed: {email}.'],
  'accounts.password_needed': ['La session de {email} a pris fin : saisissez son mot de passe.', 'The session of {email} has ended: enter its password.'],
  'accounts.forgotten': ['{email} est oublié sur cet ordinateur : sa session est fermée.', '{email} is forgotten on this computer: its session is closed.'],
  'accounts.all_ended': ['Toutes les sessions de cet ordinateur sont fermées.', 'Every session on this computer is closed.'],
  'app.busy': ['Patientez…', 'Please wait…'],
  'app.back': ['Retour', 'Back'],
  'app.home': ["Retour à l'accueil", 'Back to home'],
  'app.required': ['Les champs marqués d\'un astérisque (*) doivent être renseignés.', 'Fields marked with an asterisk (*) are required.'],
  'app.show': ['Afficher', 'Show'],
  'app.hide': ['Masquer', 'Hide'],
  'app.show_field': ['Afficher en clair : {field}', 'Show as plain text: {field}'],
  'app.retry': ['Réessayer', 'Try again'],
  'app.service_unreachable': ['Le service est injoignable. Vérifiez votre connexion, puis réessayez.', 'The service cannot be reached. Check your connection, then try again.'],
  'app.service_untrusted': ["Le certificat du service n'est pas reconnu par cet ordinateur : contactez votre service informatique.", "The service's certificate is not recognised by this computer: contact your IT department."],
  'app.service_unavailable': ['Le service ne répond pas pour le moment. Réessayez dans quelques instants.', 'The service is not answering at the moment. Try again in a few moments.'],
  'app.error_title': ['Il y a un problème', 'There is a problem'],
  'app.session_ended': ['Votre session a pris fin. Connectez-vous à nouveau.', 'Your session has ended. Please log in again.'],
  'app.loading': ['Chargement…', 'Loading…'],
  'app.saved_to': ['Récapitulatif enregistré : {path}', 'Summary saved: {path}'],
  'app.opened': ['Le récapitulatif est ouvert dans votre visualiseur PDF, qui permet de l\'imprimer.', 'The summary is open in your PDF viewer, from which you can print it.'],
  'app.settings': ['Paramètres', 'Settings'],
  'app.not_available': ['non disponible dans cette application', 'not available in this application'],

  'login.title': ['Connexion à mon espace professionnel', 'Log in to my professional account'],
  'login.email': ['Adresse électronique', 'E-mail address'],
  'login.password': ['Mot de passe', 'Password'],
  'login.submit': ['Connexion', 'Log in'],
  'login.forgot': ['Mot de passe oublié', 'Forgotten password'],
  'login.activation_title': ['Activation de mon espace / mes services', 'Activating my account / my services'],
  'login.activation_text': ["Vous avez reçu un code d'activation par courriel ? Activez ici votre nouvelle adresse électronique de connexion.", 'Received an activation code by e-mail? Activate your new login address here.'],
  'login.activate': ['Activer mon espace / mes services', 'Activate my account / my services'],
  'login.demo': ['Mode démo : le service tourne sur cet ordinateur et les courriels arrivent dans « Courriels (démo) ». Comptes de démonstration :', 'Demo mode: the service runs on this computer and e-mails arrive in “E-mails (demo)”. Demo accounts:'],
  'login.demo_password': ['Mot de passe de démonstration : {password}', 'Demo password: {password}'],
  'login.captcha_why': ["De nombreuses tentatives ont échoué pour cette adresse : pour vous connecter, recopiez aussi les caractères de l'image.", 'Many attempts failed for this address: to log in, also copy the characters in the image.'],
  'login.resumed': ['Session reprise.', 'Session resumed.'],
  'login.expired': ['Votre mot de passe a expiré : choisissez-en un nouveau pour continuer.', 'Your password has expired: choose a new one to continue.'],

  'home.title': ['Espace professionnel', 'Professional account'],
  'home.subscriber': ['Abonné : {number}', 'Subscriber: {number}'],
  'home.expiry': ['Expiration du mot de passe : {date}', 'Password expiry: {date}'],
  'home.my_space': ['MON ESPACE', 'MY ACCOUNT'],
  'home.manage': ['Gérer les services', 'Manage services'],
  'home.activity': ['Activité récente', 'Recent activity'],
  'home.devices': ['Appareils connectés', 'Connected devices'],
  'home.export': ['Télécharger mes données', 'Download my data'],
  'home.totp': ['Double authentification', 'Two-step verification'],
  'home.my_services': ['MES SERVICES', 'MY SERVICES'],
  'home.join': ['Je souhaite adhérer', 'I wish to join'],
  'home.join_text': ["Vous n'avez accès à aucun service pour le moment.", 'You have no access to any service yet.'],
  'home.current': ['DOSSIER COURANT', 'CURRENT FILE'],
  'home.siren': ['SIREN {siren}', 'SIREN {siren}'],
  'home.files': ['MES DOSSIERS', 'MY FILES'],
  'home.choose': ['Choisir un dossier', 'Choose a file'],
  'home.all': ['Voir tous mes dossiers', 'See all my files'],
  'home.pending': ["Modification de l'adresse électronique en attente : {email}. Le code d'activation est valable jusqu'au {date}.", 'Login e-mail change pending: {email}. The activation code is valid until {date}.'],
  'home.pending_activate': ['Activez votre espace abonné', 'Activate your subscriber account'],
  'home.pending_cancel': ['Annuler la demande', 'Cancel the request'],
  'home.pending_cancelled': ['La demande de modification est annulée.', 'The change request is cancelled.'],

  'expiry.text': ['Votre mot de passe expire {when} : il est valable jusqu\'au {date}. Changez-le dès maintenant pour ne pas être bloqué.', 'Your password expires {when}: it is valid until {date}. Change it now so as not to be locked out.'],
  'expiry.today': ["aujourd'hui", 'today'],
  'expiry.tomorrow': ['demain', 'tomorrow'],
  'expiry.in_days': ['dans {days} jours', 'in {days} days'],
  'expiry.change': ['Changer mon mot de passe', 'Change my password'],

  'services.title': ['Gérer les services', 'Manage services'],
  'services.online': ['SERVICES EN LIGNE', 'ONLINE SERVICES'],
  'services.join': ['Adhérer aux services en ligne', 'Join online services'],
  'services.substitutions': ['Gérer vos substitutions (remplacer le titulaire)', 'Manage your substitutions (replace the holder)'],
  'services.rights': ['Consulter vos services (habilitations)', 'View your services (authorisations)'],
  'services.personal': ['INFORMATIONS PERSONNELLES', 'PERSONAL INFORMATION'],
  'services.coordinates': ['Gérer vos coordonnées', 'Manage your contact details'],
  'services.credentials': ['Gérer votre adresse électronique de connexion / votre mot de passe', 'Manage your login e-mail address / your password'],
  'services.delete': ['Supprimer votre espace professionnel', 'Delete your professional account'],
  'services.access': ["DROITS D'ACCÈS", 'ACCESS RIGHTS'],
  'services.deputies': ['Gérer vos administrateurs suppléants', 'Manage your deputy administrators'],
  'services.delegations': ['Gérer ou consulter vos délégations', 'Manage or view your delegations'],
  'services.files': ['DOSSIERS', 'FILES'],
  'services.bank': ["Gérer les comptes bancaires de l'entreprise", "Manage the company's bank accounts"],
  'services.company_email': ["Modifier l'adresse électronique de l'entreprise", "Change the company's e-mail address"],

  'cred.title': ['Modifiez vos identifiants.', 'Change your login details.'],
  'cred.intro': ['Cochez le(s) identifiant(s) que vous souhaitez modifier', 'Tick the login detail(s) you wish to change'],
  'cred.change_email': ['Modifier mon adresse électronique {email}', 'Change my e-mail address {email}'],
  'cred.new_email': ['Nouvelle adresse électronique', 'New e-mail address'],
  'cred.email_hint': ['{email_max} caractères au plus, par exemple nom@domaine.fr', 'At most {email_max} characters, for example name@domain.fr'],
  'cred.confirm_email': ['Confirmez votre nouvelle adresse électronique', 'Confirm your new e-mail address'],
  'cred.change_password': ['Saisir mon nouveau mot de passe : ({min} caractères minimum)', 'Enter my new password: ({min} characters minimum)'],
  'cred.note_password': ['Pensez à noter votre mot de passe.', 'Remember to note your password.'],
  'cred.new_password': ['Nouveau mot de passe', 'New password'],
  'cred.confirm_password': ['Confirmez votre nouveau mot de passe', 'Confirm your new password'],
  'cred.strength': ['Niveau de sécurité de votre mot de passe', 'Security level of your password'],
  'cred.level': ['Niveau de sécurité : {level}', 'Security level: {level}'],
  'cred.current': ['Mot de passe actuel', 'Current password'],
  'cred.current_needed': ['Pour confirmer une modification, saisissez désormais votre mot de passe actuel.', 'To confirm a change, now enter your current password.'],
  'cred.current_hint': ['Pour votre sécurité, saisissez votre mot de passe actuel pour confirmer la modification.', 'For your security, enter your current password to confirm the change.'],
  'cred.cancel': ['Annuler', 'Cancel'],
  'cred.submit': ['Valider les modifications', 'Validate the changes'],
  'cred.nothing': ['Cochez « Modifier mon adresse électronique » ou « Saisir mon nouveau mot de passe ».', 'Tick “Change my e-mail address” or “Enter my new password”.'],
  'cred.advice_title': ['Recommandations pour prévenir des usurpations', 'Recommendations to prevent identity theft'],
  'cred.advice_1': ["1 mot de passe différent pour chaque site (limitation des effets en cas d'interception) ;", 'a different password for each site (limits the damage if one is intercepted);'],
  'cred.advice_2': ['1 mot de passe différent de ceux utilisés précédemment ;', 'a password different from those used before;'],
  'cred.advice_3': ['ne l\'envoyez pas par courriel (les boîtes aux lettres électroniques sont la cible de nombreuses tentatives de piratage) ;', 'do not send it by e-mail (mailboxes are the target of many hacking attempts);'],
  'cred.advice_4': ['ne l\'écrivez jamais sur quelque support que ce soit (ni fichier ni papier) ;', 'never write it down anywhere (neither file nor paper);'],
  'cred.advice_5': ['renouvelez vos mots de passe régulièrement (notamment en cas de changement de collaborateur) ;', 'renew your passwords regularly (especially when staff change);'],
  'cred.advice_6': ['Pour faciliter la mémorisation, vous pouvez adopter par exemple la technique de la phrase « Un tien vaut mieux que deux tu l\'auras » : 1tvmq2t!A.', 'To remember it, you can for instance use the sentence technique: “A bird in the hand is worth two in the bush” gives AbitHiw2itB!'],
  'cred.advice_7': ['Par ailleurs, il est conseillé de configurer votre navigateur pour qu\'il ne se souvienne pas des mots de passe saisis.', 'It is also advisable to set your browser not to remember the passwords you type.'],

  'rule.too_short': ['Au moins {min} caractères', 'At least {min} characters'],
  'rule.too_long': ['Au plus {max} caractères', 'At most {max} characters'],
  'rule.missing_letter': ['Au moins une lettre', 'At least one letter'],
  'rule.missing_digit': ['Au moins un chiffre', 'At least one digit'],
  'rule.contains_whitespace': ["Aucun espace", 'No spaces'],
  'rule.strong': ['Niveau de sécurité au moins « Fort »', 'Security level at least “Strong”'],

  'done.title': ['Réinitialisation de votre mot de passe', 'Your password has been reset'],
  'done.success': ['Votre mot de passe a été réinitialisé avec succès.', 'Your password has been successfully reset.'],
  'done.valid': ["Ce mot de passe est valable jusqu'au {date}.", 'This password is valid until {date}.'],
  'done.mail': ['Vous allez recevoir un courriel de confirmation.', 'You will receive a confirmation e-mail.'],
  'done.ok': ['OK', 'OK'],

  'pending.title': ['Activation de votre espace abonné', 'Activating your subscriber account'],
  'pending.sent': ["Vous allez recevoir le code d'activation par courriel.", 'You will receive the activation code by e-mail.'],
  'pending.check': ['Si vous ne le recevez pas, vérifiez que l\'adresse que vous avez saisie ({email}) est correcte, et consultez le dossier « Courrier indésirable » ou « Spam » de votre boîte aux lettres électronique.', 'If you do not receive it, check that the address you entered ({email}) is correct, and look in the “Junk” or “Spam” folder of your mailbox.'],
  'pending.not_password': ["Remarque : ce code n'est pas un mot de passe.", 'Note: this code is not a password.'],
  'pending.once': ["Il ne doit être utilisé qu'une seule fois pour activer votre espace abonné.", 'It must be used only once to activate your subscriber account.'],
  'pending.how': ['Pour activer votre espace abonné, cliquez sur « Activez votre espace abonné » ci-dessous, ou plus tard sur « Activer mon espace / mes services » depuis l\'écran de connexion.', 'To activate your subscriber account, click “Activate your subscriber account” below, or later “Activate my account / my services” on the log-in screen.'],
  'pending.delay': ["Vous disposez d'un délai de {hours} h, à compter de l'envoi du code ci-dessus, pour activer votre espace abonné (jusqu'au {date}).", 'You have {hours} hours from when the code was sent to activate your subscriber account (until {date}).'],
  'pending.old_works': ["Tant que la modification n'est pas activée, seule votre adresse actuelle permet de vous connecter.", 'Until the change is activated, only your current address lets you log in.'],
  'pending.with_password': ['Votre nouveau mot de passe prendra effet à l\'activation, en même temps que la nouvelle adresse.', 'Your new password will take effect on activation, together with the new address.'],
  'pending.notice': ['Un avis a aussi été envoyé à votre adresse actuelle ({email}).', 'A notice was also sent to your current address ({email}).'],
  'pending.ok': ['OK', 'OK'],
  'pending.activate': ['Activez votre espace abonné', 'Activate your subscriber account'],

  'link.refused': ["Ce lien n'est pas un lien Espace Pro valide : il n'a rien ouvert ni modifié. Utilisez le code reçu par courriel.", 'This link is not a valid Espace Pro link: it opened and changed nothing. Use the code received by e-mail.'],
  'act.from_link': ["Le code d'activation vient du lien du courriel : recopiez les caractères de l'image pour continuer.", "The activation code comes from the e-mail's link: copy the characters in the image to continue."],
  'forgot.from_link': ["Le code vient du lien du courriel : saisissez votre adresse électronique de connexion pour continuer.", "The code comes from the e-mail's link: enter your login e-mail address to continue."],
  'act.title': ['Activez votre espace / vos services', 'Activate your account / your services'],
  'act.steps': ['Étapes', 'Steps'],
  'act.step_code': ["Code d'activation", 'Activation code'],
  'act.step_ids': ['Identifiants', 'Login details'],
  'act.step_summary': ['Récapitulatif', 'Summary'],
  'act.code': ["Saisissez le code d'activation : *", 'Enter the activation code: *'],
  'act.code_hint': ['{code_chars} caractères. Ne saisissez pas votre mot de passe, mais le code reçu par courriel.', '{code_chars} characters. Do not enter your password, but the code you received by e-mail.'],
  'act.captcha': ["Recopiez les caractères de l'image : *", 'Copy the characters in the image: *'],
  'act.captcha_alt': ['Image de {captcha_chars} caractères à recopier', 'Image with {captcha_chars} characters to copy'],
  'act.captcha_hint': ["{captcha_chars} caractères. Si l'image est illisible, changez-la ou écoutez l'extrait sonore.", '{captcha_chars} characters. If the image is unreadable, change it or listen to the audio.'],
  'act.new_image': ["Changer l'image", 'Change the image'],
  'act.listen': ["Écouter l'extrait sonore", 'Listen to the audio'],
  'act.continue': ['Continuer', 'Continue'],
  'act.code_shown': ["Saisissez le code d'activation : {code}", 'Enter the activation code: {code}'],
  'act.email': ['Saisissez votre adresse électronique de connexion : *', 'Enter your login e-mail address: *'],
  'act.email_hint': ['utilisateur@domaine — la nouvelle adresse, à laquelle vous avez reçu le code', 'user@domain — the new address, where you received the code'],
  'act.previous': ['Étape précédente', 'Previous step'],
  'act.clear': ['Effacer', 'Clear'],
  'act.registration': ['Votre inscription', 'Your registration'],
  'act.done': ['Votre inscription a été réalisée le {date} sous le numéro {number}.', 'Your registration was completed on {date} under number {number}.'],
  'act.activated_on': ['Activation de votre espace : {date}.', 'Activation of your account: {date}.'],
  'act.personal': ["Ce numéro d'abonné vous est personnel et doit le rester.", 'This subscriber number is personal and must remain so.'],
  'act.save': ['Sauvegardez ou imprimez le récapitulatif', 'Save or print the summary'],
  'act.print': ['Imprimer le récapitulatif', 'Print the summary'],
  'act.keep': ['Il vous sera indispensable en cas de perte de votre mot de passe.', 'You will need it if you lose your password.'],
  'act.services': ['Vos services en ligne', 'Your online services'],
  'act.services_text': ['Pour adhérer ou utiliser les services en ligne, cliquez sur le bouton ci-dessous, puis saisissez vos identifiants pour accéder à votre espace professionnel.', 'To join or use online services, click the button below, then enter your login details to access your professional account.'],
  'act.go': ['Accédez à vos services en ligne', 'Go to your online services'],
  'act.old_refused': ['Votre ancienne adresse ne permet plus de vous connecter : utilisez la nouvelle.', 'Your old address no longer logs you in: use the new one.'],

  'reauth.why_cancel': ['Pour annuler la demande de modification de votre adresse électronique, saisissez votre mot de passe actuel.', 'To cancel the change of your e-mail address, enter your current password.'],
  'reauth.why': ['Votre réponse de confiance ne s\'affiche qu\'après la saisie de votre mot de passe actuel : saisissez-le pour continuer.', 'Your security answer is only shown after you enter your current password: enter it to continue.'],
  'coord.title': ['Gérer vos coordonnées', 'Manage your contact details'],
  'coord.phone': ['Téléphone', 'Telephone'],
  'coord.address': ['Adresse', 'Address'],
  'coord.address_hint': ['Par exemple : 12 rue de Longchamp, 75016 Paris, FRANCE', 'For example: 12 rue de Longchamp, 75016 Paris, FRANCE'],
  'coord.question': ['Question de confiance', 'Security question'],
  'coord.answer': ['Réponse de confiance', 'Security answer'],
  'coord.answer_hint': ['Indispensable en cas de perte de votre mot de passe.', 'Needed if you lose your password.'],
  'coord.save': ['Enregistrer les coordonnées', 'Save the contact details'],
  'coord.saved': ['Vos coordonnées sont enregistrées.', 'Your contact details are saved.'],
  'coord.summary_title': ['Récapitulatif de vos données personnelles', 'Summary of your personal data'],
  'coord.summary_text': ['Le récapitulatif contient votre numéro d\'abonné, votre adresse électronique de connexion et votre question/réponse de confiance : conservez-le en lieu sûr.', 'The summary holds your subscriber number, login e-mail address and security question/answer: keep it somewhere safe.'],

  'forgot.title': ['Mot de passe oublié', 'Forgotten password'],
  'forgot.intro': ['Saisissez votre adresse électronique de connexion : un code à usage unique vous sera envoyé. Vous répondrez ensuite à votre question de confiance.', 'Enter your login e-mail address: a single-use code will be sent to you. You will then answer your security question.'],
  'forgot.email': ['Adresse électronique de connexion', 'Login e-mail address'],
  'forgot.send': ['Recevoir un code', 'Receive a code'],
  'forgot.code': ['Code reçu par courriel', 'Code received by e-mail'],
  'forgot.code_hint': ['{code_chars} lettres, valable {recovery_minutes} minutes.', '{code_chars} letters, valid for {recovery_minutes} minutes.'],
  'forgot.question': ['Votre question de confiance : {question}', 'Your security question: {question}'],
  'forgot.answer': ['Réponse de confiance', 'Security answer'],
  'forgot.submit': ['Valider le nouveau mot de passe', 'Confirm the new password'],
  'forgot.login': ['Se connecter', 'Log in'],

  'activity.title': ['Activité récente de votre espace', 'Recent activity of your account'],
  'activity.when': ['Date et heure', 'Date and time'],
  'activity.what': ['Événement', 'Event'],
  'activity.where': ['Adresse IP', 'IP address'],
  'activity.none': ['Aucun événement.', 'No events.'],

  'export.title': ['Télécharger mes données', 'Download my data'],
  'export.intro': ["Un fichier JSON avec tout ce que le service conserve sur votre espace : identité, coordonnées, question et réponse de confiance, dossiers, sessions et appareils, activité, demandes en cours et courriels envoyés. Jamais vos mots de passe ni vos codes.", 'A JSON file with everything the service keeps about your account: identity, contact details, security question and answer, dossiers, sessions and devices, activity, pending requests and e-mails sent. Never your passwords or codes.'],
  'export.private': ["Il contient votre réponse de confiance : gardez-le en lieu sûr et ne l'envoyez à personne.", 'It holds your security answer: keep it safe and send it to no one.'],
  'export.save': ['Enregistrer mes données', 'Save my data'],
  'export.saved': ['Données enregistrées : {path}', 'Data saved: {path}'],
  'export.cancelled': ['Enregistrement annulé.', 'Saving cancelled.'],
  'export.why': ['Le fichier contient votre réponse de confiance : saisissez de nouveau votre mot de passe.', 'The file holds your security answer: enter your password again.'],
  'totp.title': ['Double authentification', 'Two-step verification'],
  'totp.intro': ["Avec la double authentification, votre mot de passe ne suffit plus : chaque connexion demande aussi un code à 6 chiffres, qui change toutes les 30 secondes, affiché par une application d'authentification de votre téléphone ou de votre ordinateur.", 'With two-step verification your password is no longer enough: every log-in also asks for a 6-digit code, which changes every 30 seconds, shown by an authenticator app on your phone or computer.'],
  'totp.off_title': ["La double authentification n'est pas activée", 'Two-step verification is off'],
  'totp.off_text': ["Il vous faut une application d'authentification (par exemple FreeOTP, Aegis, Google Authenticator ou Microsoft Authenticator). Vous recevrez aussi 10 codes de secours, si vous perdez l'accès à l'application.", 'You need an authenticator app (for example FreeOTP, Aegis, Google Authenticator or Microsoft Authenticator). You will also get 10 backup codes, in case you lose access to the app.'],
  'totp.start': ['Activer la double authentification', 'Turn on two-step verification'],
  'totp.why': ["Pour que personne d'autre que vous ne puisse l'activer, votre mot de passe est demandé.", 'So that no one but you can turn it on, your password is asked.'],
  'totp.enrol_title': ['Associez votre application', 'Link your app'],
  'totp.step_app': ["Ouvrez votre application d'authentification et choisissez d'ajouter un compte.", 'Open your authenticator app and choose to add an account.'],
  'totp.step_scan': ['Scannez ce code QR :', 'Scan this QR code:'],
  'totp.qr_alt': ["Code QR de la clé secrète (la même clé est écrite en dessous)", 'QR code of the secret key (the same key is written below)'],
  'totp.step_text': ['Ou saisissez cette clé dans l\'application (type : basé sur le temps) :', 'Or type this key into the app (type: time-based):'],
  'totp.step_code': ["Saisissez le code à 6 chiffres que l'application affiche, avant le {time}.", 'Enter the 6-digit code the app shows, before {time}.'],
  'totp.code': ['Code à 6 chiffres', '6-digit code'],
  'totp.code_hint': ["Le code affiché maintenant par l'application.", 'The code the app shows now.'],
  'totp.confirm': ['Activer', 'Turn on'],
  'totp.enabled': ['La double authentification est activée.', 'Two-step verification is on.'],
  'totp.codes_title': ['Vos 10 codes de secours', 'Your 10 backup codes'],
  'totp.codes_text': ["Chacun sert une fois, à la place du code de l'application, si vous la perdez. Ils ne seront plus affichés : enregistrez-les ou imprimez-les maintenant, et gardez-les à part de votre mot de passe.", 'Each works once, instead of the app\'s code, if you lose the app. They will not be shown again: save or print them now, and keep them apart from your password.'],
  'totp.save_codes': ['Enregistrer les codes', 'Save the codes'],
  'totp.print_codes': ['Imprimer les codes', 'Print the codes'],
  'totp.codes_saved': ['Codes enregistrés : {path}', 'Codes saved: {path}'],
  'totp.codes_printed': ["Les codes sont ouverts dans la visionneuse du système, qui les imprime.", 'The codes are open in the system viewer, which prints them.'],
  'totp.done': ["J'ai gardé mes codes", 'I have kept my codes'],
  'totp.on_title': ['La double authentification est activée', 'Two-step verification is on'],
  'totp.on_since': ['Activée le {time}.', 'Turned on {time}.'],
  'totp.codes_left': ['Codes de secours non utilisés : {count} sur 10.', 'Unused backup codes: {count} of 10.'],
  'totp.off_form_title': ['Désactiver la double authentification', 'Turn off two-step verification'],
  'totp.code_or_recovery': ['Code à 6 chiffres ou code de secours', '6-digit code or backup code'],
  'totp.code_or_recovery_hint': ["Le code affiché par l'application, ou l'un de vos codes de secours (ABCD-EFGH-JKLM-NPQR).", 'The code the app shows, or one of your backup codes (ABCD-EFGH-JKLM-NPQR).'],
  'totp.disable': ['Désactiver', 'Turn off'],
  'totp.disabled': ['La double authentification est désactivée. Un courriel vous le confirme.', 'Two-step verification is off. An e-mail confirms it.'],
  'login.demo_second_factor': ["Compte protégé par la double authentification : {email}. Sa clé, à saisir dans une application d'authentification : {code}.", 'Account protected by two-step verification: {email}. Its key, to type into an authenticator app: {code}.'],
  'login.totp': ['Code de double authentification', 'Two-step verification code'],
  'login.totp_hint': ["Les 6 chiffres affichés par votre application d'authentification, ou l'un de vos codes de secours.", 'The 6 digits your authenticator app shows, or one of your backup codes.'],
  'err.totp_code.required': ["Saisissez le code de votre application d'authentification.", 'Enter the code from your authenticator app.'],
  'err.totp_code.invalid': ["Ce code n'est pas valide ou a déjà servi : saisissez le code affiché maintenant.", 'This code is not valid or was already used: enter the code shown now.'],
  'err.recovery_code.invalid': ["Ce code de secours n'est pas valide ou a déjà servi.", 'This backup code is not valid or was already used.'],
  'apperr.no_recovery_codes': ["Les codes de secours ne sont plus disponibles ici : désactivez puis réactivez la double authentification pour en obtenir de nouveaux.", 'The backup codes are no longer available here: turn two-step verification off and on again to get new ones.'],
  'devices.title': ['Appareils connectés', 'Connected devices'],
  'devices.intro': ["Votre espace est ouvert sur ces appareils. Si vous n'en reconnaissez pas un, déconnectez-le, puis changez votre mot de passe.", "Your account is open on these devices. If you do not recognise one, disconnect it, then change your password."],
  'devices.device': ['Appareil', 'Device'],
  'devices.since': ['Connecté depuis', 'Connected since'],
  'devices.last_seen': ['Dernière activité', 'Last active'],
  'devices.action': ['Action', 'Action'],
  'devices.this_one': ['Cet ordinateur', 'This computer'],
  'devices.unnamed': ['Appareil sans nom', 'Unnamed device'],
  'devices.end': ['Déconnecter', 'Disconnect'],
  'devices.end_named': ['Déconnecter {name}', 'Disconnect {name}'],
  'devices.end_others': ['Déconnecter les autres appareils', 'Disconnect the other devices'],
  'devices.ended': ['{name} est déconnecté.', '{name} is disconnected.'],
  'devices.others_ended': ['Les autres appareils sont déconnectés.', 'The other devices are disconnected.'],
  'devices.only_this_one': ["Aucun autre appareil n'est connecté.", 'No other device is connected.'],

  'settings.device': ['Cet ordinateur', 'This computer'],
  'settings.device_name': ['Nom de cet ordinateur', "This computer's name"],
  'settings.device_name_hint': ["Le nom sous lequel votre espace le montre dans « Appareils connectés » et dans le courriel d'une première connexion, à partir de la prochaine connexion. Vide : le nom proposé.", 'The name your account shows it under in "Connected devices" and in the e-mail of a first log-in, from the next log-in on. Empty: the suggested name.'],
  'settings.device_save': ['Enregistrer le nom', 'Save the name'],
  'settings.device_saved': ['Nom enregistré : {name}.', 'Name saved: {name}.'],
  'settings.title': ['Paramètres', 'Settings'],
  'settings.current': ['Service utilisé', 'Service in use'],
  'settings.url': ['Adresse : {url}', 'Address: {url}'],
  'settings.name': ['Nom : {name}, version {version}', 'Name: {name}, version {version}'],
  'settings.reachable': ['Le service répond.', 'The service answers.'],
  'settings.untrusted': ["Le certificat du service n'est pas reconnu par cet ordinateur : contactez votre service informatique.", "The service's certificate is not recognised by this computer: contact your IT department."],
  'settings.unreachable': ['Le service ne répond pas pour le moment.', 'The service is not answering at the moment.'],
  'settings.source.flag': ["Choisi au lancement de l'application (option --service-url).", 'Chosen when the application was started (--service-url option).'],
  'settings.source.variable': ['Choisi par la variable ESPACE_PRO_SERVICE_URL.', 'Chosen by the ESPACE_PRO_SERVICE_URL variable.'],
  'settings.source.saved': ['Choisi dans ces paramètres.', 'Chosen in these settings.'],
  'settings.source.packaged': ["Service de votre organisation, prévu à l'installation.", "Your organisation's service, set at installation."],
  'settings.source.demo': ['Mode démo : le service tourne sur cet ordinateur, avec des comptes de démonstration.', 'Demo mode: the service runs on this computer, with demo accounts.'],
  'settings.override': ["Au prochain lancement, l'option --service-url ou la variable ESPACE_PRO_SERVICE_URL l'emportera de nouveau sur le choix fait ici.", 'At the next start, the --service-url option or the ESPACE_PRO_SERVICE_URL variable will again take precedence over the choice made here.'],
  'settings.other': ['Utiliser un autre service', 'Use another service'],
  'settings.new_url': ['Adresse du service', 'Service address'],
  'settings.new_url_hint': ['Elle commence par https:// (http:// seulement pour un service sur cet ordinateur), par exemple https://espace-pro.example.fr.', 'It starts with https:// (http:// only for a service on this computer), for example https://espace-pro.example.fr.'],
  'settings.check': ['Tester', 'Test'],
  'settings.save': ['Tester et utiliser ce service', 'Test and use this service'],
  'settings.checked': ['Le service {name} (version {version}) répond.', 'The service {name} (version {version}) answers.'],
  'settings.default': ['Choix par défaut', 'Default choice'],
  'settings.packaged': ['Revenir au service de votre organisation ({url})', "Go back to your organisation's service ({url})"],
  'settings.no_packaged': ['Revenir au choix par défaut (mode démo)', 'Go back to the default (demo mode)'],
  'settings.demo': ['Utiliser le mode démo', 'Use demo mode'],
  'settings.switched': ['Service utilisé désormais : {url}. Connectez-vous.', 'Service now in use: {url}. Log in.'],

  'help.title': ['Dépannage', 'Troubleshooting'],
  'help.intro': ["Si vous avez besoin d'aide, l'assistance aux usagers des procédures en ligne est joignable :", 'If you need help, user support for online procedures can be reached:'],
  'help.hotline': ['par téléphone au {hotline} ({hours}) ;', 'by telephone on {hotline} ({hours});'],
  'help.form': ['par formulaire en ligne : {form}.', 'through the online form: {form}.'],
  'help.phishing_title': ['Attention au hameçonnage', 'Beware of phishing'],
  'help.phishing': ["L'administration ne vous sollicite jamais (que ce soit par courriel, par SMS ou par téléphone) pour vous demander de communiquer de quelque manière que ce soit vos identifiants ou vos coordonnées bancaires. Si vous recevez un tel message, ne cliquez sur aucun lien, n'appelez pas le numéro indiqué et ne tenez pas compte des informations qu'il contient car il s'agit sans doute d'une tentative d'hameçonnage.", 'The administration never asks you (by e-mail, text message or telephone) to give your login details or bank details in any way. If you receive such a message, click no link, do not call the number given and ignore what it says: it is most likely a phishing message.'],
  'help.data_title': ['Protection des données personnelles', 'Protection of personal data'],
  'help.data': ["Les données personnelles recueillies lors de l'inscription peuvent être utilisées pour vous informer du fonctionnement des services proposés, des évolutions de la réglementation, ou pour vous communiquer des informations susceptibles de concerner votre activité, notamment par courriel.", 'Personal data collected at registration may be used to inform you about how the services work, about changes in regulations, or to send you information that may concern your business, especially by e-mail.'],
  'help.rights': ["Conformément à la loi n° 78-17 du 6 janvier 1978 modifiée par la loi n° 2004-801 du 6 août 2004, vous disposez d'un droit d'accès et de rectification de vos données personnelles, et pouvez demander à ne plus recevoir ces courriels en écrivant à : desabonnement@dgfip.finances.gouv.fr.", 'Under Act no. 78-17 of 6 January 1978 as amended by Act no. 2004-801 of 6 August 2004, you have a right to access and correct your personal data, and may ask to no longer receive these e-mails by writing to: desabonnement@dgfip.finances.gouv.fr.'],
  'help.a11y_title': ["Déclaration d'accessibilité", 'Accessibility statement'],
  'help.a11y_status': ["Espace Pro vise la conformité au référentiel général d'amélioration de l'accessibilité (RGAA 4.1) et à la norme EN 301 549 pour les logiciels. Il est partiellement conforme : aucun audit externe n'a encore été réalisé.", 'Espace Pro aims to conform to the French accessibility framework (RGAA 4.1) and to EN 301 549 for software. It is partially conformant: no external audit has been carried out yet.'],
  'help.a11y_checked': ["Ce qui est vérifié à chaque version : chaque écran, en français et en anglais, est analysé avec axe-core au niveau WCAG 2.2 AA, en thème clair et en thème sombre ; ce qu'un lecteur d'écran reçoit du système (l'arbre d'accessibilité AT-SPI lu sous Linux) est contrôlé : chaque commande a un nom en mots, chaque écran un seul titre principal, repris par le titre de la fenêtre, et une erreur place le focus sur son résumé ; chaque écran s'affiche sans défilement horizontal agrandi à 200 % dans une fenêtre de 640 × 480, y compris avec l'espacement du texte augmenté ; chaque procédure (connexion, mot de passe, adresse électronique jusqu'à l'activation et au récapitulatif, mot de passe oublié, coordonnées, paramètres, changement de compte, CAPTCHA sonore) est faite de bout en bout au clavier seul, le focus visible sur chaque commande ; la force du mot de passe et les erreurs sont annoncées ; le récapitulatif PDF est balisé (PDF/UA-1) et lu dans l'ordre de la page.", "Checked with every version: each screen, in French and in English, is analysed with axe-core at WCAG 2.2 AA, in the light and the dark theme; what a screen reader receives from the system (the AT-SPI accessibility tree, read on Linux) is checked: every control has a name in words, every screen a single main heading, which the window's title repeats, and an error moves the focus to its summary; every screen shows without horizontal scrolling zoomed to 200% in a 640 × 480 window, also with increased text spacing; every procedure (log-in, password, login e-mail up to the activation and the summary, forgotten password, contact details, settings, switching accounts, the audio CAPTCHA) is done end to end with the keyboard alone, the focus visible on every control; the password strength and errors are announced; the PDF summary is tagged (PDF/UA-1) and read in the page's order."],
  'help.a11y_limits': ["Limites connues : le CAPTCHA sonore n'a pas encore été essayé par des personnes utilisant un lecteur d'écran ; seul l'arbre d'accessibilité de Linux est vérifié (pas encore NVDA ou JAWS sous Windows, ni VoiceOver sous macOS) ; le parcours au clavier est vérifié en thème clair seulement.", "Known limitations: the audio CAPTCHA has not yet been tried by people using a screen reader; only Linux's accessibility tree is checked (not yet NVDA or JAWS on Windows, nor VoiceOver on macOS); the keyboard runs are checked in the light theme only."],
  'help.a11y_contact': ["Si un élément vous est inaccessible, signalez-le à l'assistance (coordonnées ci-dessus) : une réponse ou un autre moyen d'accéder au service vous sera proposé. Sans réponse, vous pouvez saisir le Défenseur des droits.", 'If something is not accessible to you, tell user support (contacts above): you will be offered an answer or another way to use the service. If you get no answer, you can refer the matter to the French rights ombudsman.'],

  'mailbox.title': ['Courriels (démo)', 'E-mails (demo)'],
  'mailbox.intro': ["En mode démo, les courriels du service n'ont pas été envoyés : ils sont rangés ici, le plus récent en premier. Vous y trouverez les codes d'activation.", 'In demo mode, the service\'s e-mails are not sent: they are kept here, newest first. The activation codes are in them.'],
  'mailbox.refresh': ['Actualiser', 'Refresh'],
  'mailbox.empty': ['Aucun courriel pour le moment.', 'No e-mail yet.'],
  'mailbox.to': ['À : {to}', 'To: {to}'],
  'mailbox.date': ['Date : {date}', 'Date: {date}'],

  // Beside a field: `err.<field>.<code>` first, then `err.<kind>.<code>` (the kind of field,
  // see forms.js), then `err.<code>` for what any field may say.
  'err.required': ['Ce champ est obligatoire.', 'This field is required.'],
  'err.invalid': ['La valeur saisie est incorrecte.', 'The value entered is incorrect.'],
  'err.too_long': ['Ce champ est trop long.', 'This field is too long.'],
  'err.invalid_character': ['Ce champ contient un caractère invisible ou de contrôle : retapez-le.', 'This field contains an invisible or control character: type it again.'],
  'err.email.required': ['Saisissez une adresse électronique.', 'Enter an e-mail address.'],
  'err.email.invalid_email': ['Saisissez une adresse électronique valide, comme nom@domaine.fr.', 'Enter a valid e-mail address, like name@domain.fr.'],
  'err.email.too_long': ['Saisissez une adresse électronique de {email_max} caractères au plus.', 'Enter an e-mail address of at most {email_max} characters.'],
  'err.email.invalid_character': ["L'adresse électronique contient un caractère invisible : retapez-la.", 'The e-mail address contains an invisible character: type it again.'],
  'err.email.not_requested': ["Ce n'est pas la nouvelle adresse demandée : saisissez celle à laquelle vous avez reçu le code.", 'This is not the new address requested: enter the one where you received the code.'],
  'err.email.taken': ["Cette adresse électronique est déjà celle d'un autre espace.", 'This e-mail address already belongs to another account.'],
  'err.confirm_email.mismatch': ['Les deux adresses électroniques ne sont pas identiques.', 'The two e-mail addresses are not the same.'],
  'err.new_email.same_as_current': ['Cette adresse est déjà votre adresse électronique de connexion.', 'This is already your login e-mail address.'],
  'err.password.too_short': ['Le mot de passe doit compter au moins {min} caractères.', 'The password must have at least {min} characters.'],
  'err.password.too_long': ['Le mot de passe doit compter au plus {max} caractères.', 'The password must have at most {max} characters.'],
  'err.password.missing_letter': ['Le mot de passe doit contenir au moins une lettre.', 'The password must contain at least one letter.'],
  'err.password.missing_digit': ['Le mot de passe doit contenir au moins un chiffre.', 'The password must contain at least one digit.'],
  'err.password.contains_whitespace': ["Le mot de passe ne doit pas contenir d'espace.", 'The password must not contain spaces.'],
  'err.password.invalid_character': ['Le mot de passe contient un caractère invisible : retapez-le.', 'The password contains an invisible character: type it again.'],
  'err.password.too_weak': ["Ce mot de passe est trop facile à deviner : allongez-le, évitez vos nom, prénom, adresse et numéro d'abonné.", 'This password is too easy to guess: make it longer, avoid your names, address and subscriber number.'],
  'err.password.same_as_current': ['Choisissez un mot de passe différent du mot de passe actuel.', 'Choose a password different from the current one.'],
  'err.confirm_password.mismatch': ['Les deux mots de passe ne sont pas identiques.', 'The two passwords are not the same.'],
  'err.current_password.incorrect': ['Le mot de passe actuel est incorrect.', 'The current password is wrong.'],
  'err.captcha_answer.incorrect': ["Les caractères ne correspondent pas à l'image.", 'The characters do not match the image.'],
  'err.code.invalid': ["Ce code n'est pas reconnu.", 'This code is not recognised.'],
  'err.code.expired': ["Ce code n'est plus valable.", 'This code is no longer valid.'],
  'err.code.locked': ['Ce code est annulé.', 'This code is cancelled.'],
  'err.security_answer.incorrect': ['La réponse ne correspond pas à votre réponse de confiance.', 'The answer does not match your security answer.'],
  'err.security_answer.required': ['Une nouvelle question de confiance demande une nouvelle réponse.', 'A new security question needs a new answer.'],
  'err.phone.invalid_phone': ['Le téléphone ne peut contenir que des chiffres, des espaces et + . - ( ).', 'The telephone may only contain digits, spaces and + . - ( ).'],
  'err.phone.too_long': ['Le téléphone doit compter au plus {phone_max} caractères.', 'The telephone must have at most {phone_max} characters.'],
  'err.address.too_long': ['Adresse trop longue : raccourcissez-la.', 'Address too long: shorten it.'],
  'err.security_question.too_long': ['Question trop longue : raccourcissez-la.', 'Question too long: shorten it.'],

  // The app's own errors (the service's come with their message in the screens' language).
  'apperr.network': ['Le service Espace Pro est injoignable. Vérifiez votre connexion, puis réessayez.', 'The Espace Pro service cannot be reached. Check your connection, then try again.'],
  'apperr.untrusted_certificate': ["Le certificat du service n'est pas reconnu par cet ordinateur : contactez votre service informatique.", "The service's certificate is not recognised by this computer: contact your IT department."],
  'apperr.unexpected_response': ['Le service a fait une réponse inattendue. Réessayez dans quelques instants.', 'The service gave an unexpected answer. Try again in a few moments.'],
  'apperr.unexpected': ["L'application a rencontré une erreur inattendue. Réessayez.", 'The application met an unexpected error. Try again.'],
  'apperr.no_backend': ['Espace Pro doit être ouvert dans son application.', 'Espace Pro must be opened in its application.'],
  'apperr.unknown_account': ["Ce compte n'est plus dans la liste de cet ordinateur : connectez-vous avec son adresse et son mot de passe.", 'This account is no longer in this computer’s list: log in with its address and password.'],
  'apperr.accounts_file': ["La liste des comptes de cet ordinateur n'a pas pu être enregistrée. Vérifiez l'espace disque, puis réessayez.", 'The list of accounts on this computer could not be saved. Check the disk space, then try again.'],
  'apperr.update_signature': ["La mise à jour ne porte pas la signature d'Espace Pro : elle n'a pas été installée.", 'The update does not carry Espace Pro’s signature: it was not installed.'],
  'apperr.update_url': ["L'adresse des mises à jour doit commencer par https://.", 'The updates address must start with https://.'],
  'apperr.update_install': ["La mise à jour n'a pas pu être installée. Réessayez, ou installez-la depuis le site d'Espace Pro.", 'The update could not be installed. Try again, or install it from the Espace Pro website.'],
  'apperr.update_untrusted': ["Le certificat du serveur des mises à jour n'est pas reconnu par cet ordinateur : contactez votre service informatique.", "The update server's certificate is not recognised by this computer: contact your IT department."],
  'apperr.update_unreachable': ['Les mises à jour n\'ont pas pu être recherchées. Vérifiez votre connexion, puis réessayez.', 'Updates could not be looked for. Check your connection, then try again.'],
  'err.device_name.device_name': ["Un nom sur une seule ligne, plus court.", 'A name on a single line, shorter.'],
  'apperr.device_name': ["Donnez à cet ordinateur un nom plus court, sur une seule ligne (ou laissez le champ vide pour reprendre le nom proposé).", 'Give this computer a shorter name, on a single line (or leave the field empty to use the suggested name).'],
  'apperr.current_session': ["Cet ordinateur se déconnecte avec « Quitter » : « Déconnecter » est pour les autres appareils.", 'This computer logs out with "Log out": "Disconnect" is for the other devices.'],
  'apperr.no_update': ['Aucune mise à jour en attente : recherchez-les de nouveau.', 'No update waiting: look for updates again.'],
  'apperr.no_session': ['Votre session a pris fin. Connectez-vous à nouveau.', 'Your session has ended. Log in again.'],
  'apperr.no_ticket': ['Votre saisie a expiré. Saisissez de nouveau le code reçu par courriel.', 'Your entry has expired. Enter the code received by e-mail again.'],
  'apperr.keyring': ["Le trousseau du système n'a pas pu conserver votre session : vous devrez vous reconnecter au prochain démarrage.", 'The system keyring could not keep your session: you will have to log in again at the next start.'],
  'apperr.pdf': ["Le récapitulatif n'a pas pu être créé. Réessayez.", 'The summary could not be created. Try again.'],
  'apperr.io': ["Le fichier n'a pas pu être écrit : choisissez un autre dossier.", 'The file could not be written: choose another folder.'],
  'apperr.open': ["Le visualiseur PDF n'a pas pu être ouvert : enregistrez le récapitulatif, puis ouvrez-le.", 'The PDF viewer could not be opened: save the summary, then open it.'],
  'apperr.no_summary': ["Aucun récapitulatif à enregistrer : connectez-vous d'abord.", 'No summary to save: log in first.'],
  'apperr.not_demo': ["La boîte de démonstration n'existe qu'en mode démo.", 'The demo mailbox exists only in demo mode.'],
  'err.url.insecure_url': ["Saisissez une adresse qui commence par https:// (http:// n'est accepté que pour cet ordinateur).", 'Enter an address starting with https:// (http:// is accepted only for this computer).'],
  'err.url.network': ['Aucun service ne répond à cette adresse : vérifiez-la, puis réessayez.', 'No service answers at this address: check it, then try again.'],
  'err.url.untrusted_certificate': ["Le certificat de ce service n'est pas reconnu par cet ordinateur : vérifiez l'adresse, ou contactez votre service informatique.", "This service's certificate is not recognised by this computer: check the address, or contact your IT department."],
  'err.url.unexpected_response': ["Cette adresse ne répond pas comme un service Espace Pro : vérifiez-la.", 'This address does not answer like an Espace Pro service: check it.'],
  'apperr.redirected': ["Le service a renvoyé vers une autre adresse, que l'application ne suit pas. Vérifiez l'adresse du service dans « Paramètres ».", 'The service sent the request to another address, which the application does not follow. Check the service address in “Settings”.'],
  'apperr.service_changed': ["Un autre service a été choisi pendant l'opération : recommencez-la.", 'Another service was chosen during the operation: start it again.'],
  'apperr.insecure_url': ["L'adresse du service doit commencer par https:// (http:// n'est accepté que sur cet ordinateur).", 'The service address must start with https:// (http:// is accepted only on this computer).'],
};

const LANGS = ['fr', 'en'];
let current = 'fr';

export function setLang(lang) {
  current = LANGS.includes(lang) ? lang : 'fr';
}

export function lang() {
  return current;
}

// The rules' numbers, as the service publishes them (see `setPolicy`): texts quote them through
// placeholders, and no number of a rule is written in this file or the screens.
let policyVars = {};

/** Takes the numbers of the rules from `app_info` (the service's policy, or the defaults). */
export function setPolicy(info) {
  const p = info?.policy ?? {};
  const l = info?.limits ?? {};
  policyVars = {
    min: p.min_chars,
    max: p.max_chars,
    email_max: l.email_max_chars,
    code_chars: l.code_chars,
    hours: l.activation_code_validity_hours,
    recovery_minutes: l.recovery_code_validity_minutes,
    captcha_chars: l.captcha_chars,
    phone_max: l.phone_max_chars,
  };
  setZone(info?.service?.time_zone ?? 'Europe/Paris');
  for (const [name, value] of Object.entries(policyVars)) {
    if (value === undefined || value === null) delete policyVars[name];
  }
}

/** The numbers of the rules in force (for `maxlength` and the like). */
export function policy() {
  return { ...policyVars };
}

function fill(text, vars) {
  const all = { ...policyVars, ...vars };
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in all ? String(all[name]) : m));
}

/** The text of `key` in the current language, with `{name}` replaced from `vars` and from the
 * rules' numbers. */
export function t(key, vars = {}) {
  const entry = MESSAGES[key];
  if (!entry) return key;
  return fill(entry[LANGS.indexOf(current)], vars);
}

export function has(key) {
  return key in MESSAGES;
}

const MONTHS = {
  fr: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
};

/** "2026-08-24" → "24 août 2026" / "24 August 2026". */
export function longDate(iso) {
  const [y, m, d] = String(iso).slice(0, 10).split('-').map(Number);
  if (!y || !m || !d) return String(iso);
  return `${d} ${MONTHS[current][m - 1]} ${y}`;
}

/**
 * The registration day a subscriber number carries (its first 7 digits: year, day of the year),
 * as "YYYY-MM-DD"; null if it is not such a number.
 */
export function registrationDate(number) {
  const m = /^(\d{4})(\d{3})\d{7}$/.exec(String(number));
  if (!m) return null;
  const day = new Date(Date.UTC(Number(m[1]), 0, Number(m[2])));
  if (day.getUTCFullYear() !== Number(m[1])) return null;
  return day.toISOString().slice(0, 10);
}

/** "2026-08-24" → "24/08/2026". */
export function shortDate(iso) {
  const [y, m, d] = String(iso).slice(0, 10).split('-');
  return d && m && y ? `${d}/${m}/${y}` : String(iso);
}

// The service's time zone (its e-mails and validity dates use it): times are shown in it, not in
// the computer's.
let zone = 'Europe/Paris';

/** The IANA zone times are shown in (from `service-info`; Europe/Paris until it says). */
export function setZone(name) {
  try {
    new Intl.DateTimeFormat('fr-FR', { timeZone: name });
    zone = name;
  } catch {
    zone = 'Europe/Paris';
  }
}

/** An RFC 3339 instant in the service's zone: "24/08/2026 à 13 h 00" / "24/08/2026 at 13:00". */
export function dateTime(instant) {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return String(instant);
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(date).map((p) => [p.type, p.value]));
  const day = `${parts.day}/${parts.month}/${parts.year}`;
  return current === 'fr'
    ? `${day} à ${parts.hour} h ${parts.minute}`
    : `${day} at ${parts.hour}:${parts.minute}`;
}
