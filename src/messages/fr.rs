//! French (français).

pub(super) const TABLE: super::Table = &[
    (
        "draft_not_found",
        "Ce projet de réunion ne peut pas être envoyé : {detail}. Rien n'a été envoyé à personne. Crée un nouveau projet avec draft_meeting, relis-le et envoie-le une fois que l'utilisateur a dit oui.",
    ),
    (
        "in_progress",
        "J'envoie {what} en ce moment, je ne les ai donc pas envoyées une deuxième fois. Redemande dans un instant pour savoir comment cela s'est passé.",
    ),
    (
        "change_not_found",
        "Cette modification ne peut pas être appliquée : {detail}. Rien n'a été modifié. Propose-la à nouveau avec propose_change, relis-la et applique-la une fois que l'utilisateur a dit oui.",
    ),
    (
        "not_organizer",
        "Quelqu'un d'autre organise cet événement, seul l'organisateur peut donc le déplacer ou l'annuler. Je peux le refuser pour l'utilisateur avec respond_to_invite.",
    ),
    (
        "event_changed",
        "Cet événement a changé depuis que je l'ai relu, je ne l'ai donc pas modifié. Je vais le regarder à nouveau avec propose_change.",
    ),
    (
        "kind_not_available",
        "Google Agenda ne propose pas {kind} pour cet agenda, rien n'a donc été ajouté. Je peux bloquer ce créneau comme simple réservation, si l'utilisateur le souhaite.",
    ),
    (
        "working_location_not_available",
        "Google Agenda ne me permet pas de définir le lieu de travail pour ce compte, donc rien n'a été enregistré. L'utilisateur peut indiquer où il travaille dans les paramètres de Google Agenda, sous Heures et lieu de travail.",
    ),
    (
        "series_change_unsupported",
        "{detail} Rien n'a été modifié.",
    ),
    (
        "already_cancelled",
        "Il est déjà annulé, il n'y a plus rien à annuler.",
    ),
    (
        "already_cancelled_moving",
        "Cet événement a été annulé, il ne peut donc pas être déplacé. Je peux bloquer le nouveau créneau avec block_time ou organiser une nouvelle réunion, si l'utilisateur le souhaite.",
    ),
    (
        "url_expired",
        "Ce lien vers l'agenda a expiré. Demande à l'utilisateur de terminer l'appel et d'appuyer à nouveau sur Start.",
    ),
    (
        "invalid_signature",
        "Ce lien vers l'agenda n'est pas valide, je ne peux donc pas accéder à l'agenda. Demande à l'utilisateur de terminer l'appel et d'appuyer à nouveau sur Start.",
    ),
    (
        "meeting_url_expired",
        "Le lien pour envoyer des invitations et des modifications a expiré ; par sécurité, il ne dure que peu de temps après Start. Les autres outils de l'agenda fonctionnent toujours. Demande à l'utilisateur de terminer l'appel et d'appuyer à nouveau sur Start pour envoyer les invitations ou appliquer la modification.",
    ),
    (
        "signed_out",
        "L'utilisateur s'est déconnecté depuis le début de cette conversation, je ne peux donc plus accéder à son agenda. Demande-lui de se reconnecter sur la page et d'appuyer sur Start.",
    ),
    (
        "not_signed_in",
        "Non connecté. Connecte-toi d'abord avec Google sur la page.",
    ),
    (
        "not_connected",
        "L'agenda Google de cet utilisateur n'est pas connecté. Demande à l'utilisateur de se connecter avec Google sur la page, puis réessaie.",
    ),
    (
        "google_reauth_required",
        "L'accès Google à cet agenda a été révoqué ou a expiré. Demande à l'utilisateur de se reconnecter avec Google sur la page.",
    ),
    (
        "invalid_oauth_state",
        "La connexion n'a pas pu aboutir parce que {detail}. Retourne sur la page et connecte-toi à nouveau.",
    ),
    (
        "invalid_channel_token",
        "Le jeton de canal de cette notification n'est pas valide.",
    ),
    ("forbidden", "Refusé : {detail}."),
    (
        "google_error",
        "Google Agenda n'a pas répondu correctement. Réessaie dans un instant.",
    ),
    (
        "google_scope_missing_contacts",
        "Google n'a pas autorisé ce service à {permission}. Demande plutôt à l'utilisateur d'épeler l'adresse e-mail, ou d'appuyer sur Autoriser les contacts sur la page.",
    ),
    (
        "google_scope_missing",
        "Google n'a pas autorisé ce service à {permission}. Demande à l'utilisateur de se reconnecter avec Google sur la page en laissant toutes les autorisations cochées, puis d'appuyer à nouveau sur Start.",
    ),
    (
        "google_rate_limited",
        "Google Agenda limite les requêtes en ce moment. Réessaie dans {seconds} secondes.",
    ),
    (
        "google_forbidden",
        "Google Agenda n'autorise pas cette modification sur cet agenda ou cet événement.",
    ),
    (
        "google_timeout",
        "Google Agenda met trop de temps à répondre. Réessaie dans un instant.",
    ),
    (
        "invalid_argument",
        "Un argument n'est pas valide : {detail}",
    ),
    (
        "invalid_json",
        "Les arguments de l'outil n'ont pas pu être lus comme un objet JSON : {detail}.",
    ),
    (
        "unsupported_media_type",
        "Les arguments de l'outil doivent être envoyés en JSON (Content-Type: application/json).",
    ),
    (
        "payload_too_large",
        "Les arguments de l'outil sont trop volumineux ; ils doivent faire moins de 64 kilo-octets.",
    ),
    (
        "rate_limited",
        "Trop de requêtes en ce moment. Réessaie dans {seconds} secondes.",
    ),
    (
        "invite_limit",
        "Cela enverrait des e-mails à plus de {per_hour} personnes en une heure, le maximum autorisé, donc rien n'a été envoyé ni modifié. Réessaie dans {minutes} minutes, ou avec moins de personnes.",
    ),
    ("not_found", "Il n'y a rien à cette adresse."),
    (
        "method_not_allowed",
        "Cette adresse n'accepte pas cette méthode.",
    ),
    (
        "not_configured",
        "Le service d'agenda n'est pas entièrement configuré : {variable} manque. La personne qui l'exploite doit le définir et redémarrer.",
    ),
    (
        "store_unavailable",
        "Le service d'agenda ne peut pas joindre sa base de données pour le moment. Réessaie dans un instant.",
    ),
    (
        "draining",
        "Cette instance s'arrête ; une autre prend les requêtes.",
    ),
    (
        "internal_error",
        "Une erreur s'est produite dans le service d'agenda. Réessaie.",
    ),
    (
        "anam_key_refused",
        "Anam a refusé la clé d'API. Vérifie ANAM_API_KEY.",
    ),
    (
        "anam_rate_limited",
        "Anam limite les nouvelles sessions de ce compte en ce moment. Réessaie dans {seconds} secondes.",
    ),
    (
        "anam_refused",
        "Anam a refusé la session. Vérifie que ANAM_AVATAR_ID, ANAM_VOICE_ID et ANAM_LLM_ID existent dans ton compte Anam (`calendar-agent anam avatars`, `voices`, `llms` les listent).",
    ),
    (
        "anam_unavailable",
        "Anam ne répond pas pour le moment. Réessaie dans un instant.",
    ),
    (
        "change_finishing",
        "Google n'a pas encore confirmé la nouvelle série. Je termine la modification en arrière-plan dans les prochaines minutes ; si Google continue de la refuser, je remettrai la série exactement comme elle était.",
    ),
    (
        "contacts_none_found",
        "Personne dans les contacts de l'utilisateur ne correspond à \"{query}\". Demande à l'utilisateur d'épeler l'adresse e-mail.",
    ),
    (
        "account_not_found",
        "Ce n'est pas l'un des comptes Google que l'utilisateur a connectés ici. Les comptes sont nommés dans list_events ; sans account, le compte principal est utilisé.",
    ),
    (
        "account_last",
        "C'est le seul compte Google connecté, il ne peut pas être retiré. Déconnectez-vous plutôt, ou utilisez « m'oublier » pour tout effacer.",
    ),
    (
        "account_taken",
        "Ce compte Google est déjà connecté ici pour quelqu'un d'autre, il n'a donc pas été ajouté. Connectez-vous d'abord avec lui et utilisez « m'oublier ».",
    ),
    (
        "account_unavailable",
        "Je n'ai pas pu lire ce compte Google pour l'instant, ses événements manquent dans cette réponse. {detail}",
    ),
    // What is wrong with an argument (inside invalid_argument).
    ("arg_required", "{argument} est obligatoire."),
    (
        "arg_string",
        "{argument} doit être une chaîne de caractères.",
    ),
    (
        "arg_too_long",
        "{argument} doit faire au plus {max} caractères.",
    ),
    (
        "arg_event_id",
        "{argument} n'est pas un identifiant d'événement. Utilisez l'identifiant que list_events a donné pour l'événement.",
    ),
    ("arg_whole_number", "{argument} doit être un nombre entier."),
    ("arg_true_false", "{argument} doit valoir true ou false."),
    (
        "arg_email_list",
        "{argument} doit être une liste d'adresses e-mail.",
    ),
    (
        "arg_not_email",
        "« {text} » dans {argument} n'est pas une adresse e-mail. Demandez à l'utilisateur de l'épeler.",
    ),
    (
        "arg_one_email",
        "{argument} doit être une seule adresse e-mail.",
    ),
    ("arg_one_of", "{argument} doit valoir {listed} ou {last}."),
    ("arg_the_word", "{argument} doit valoir {last}."),
    ("end_after_start", "end doit être après start."),
    (
        "event_too_long",
        "Un événement peut durer au plus {days} jours.",
    ),
    (
        "no_such_event",
        "Aucun événement de l'agenda n'a cet event_id. Utilisez list_events pour trouver l'événement et son identifiant.",
    ),
    (
        "attendees_too_many",
        "attendees peut nommer au plus {max} personnes à la fois.",
    ),
    (
        "attendees_none",
        "attendees doit nommer au moins une personne autre que l'utilisateur.",
    ),
    (
        "move_needs",
        "{argument} est obligatoire pour déplacer un événement.",
    ),
    (
        "series_no_start",
        "Je ne peux pas lire le début de cette série ; ne modifiez que celui-ci (scope this).",
    ),
    (
        "series_all_day_date",
        "Cette série dure toute la journée : donnez le nouveau jour sous forme de date (comme 2030-03-13) pour tous les déplacer, ou déplacez seulement celui-ci à une heure (scope this).",
    ),
    (
        "duration_positive",
        "duration_minutes doit être un nombre positif de minutes.",
    ),
    (
        "duration_too_long",
        "duration_minutes doit faire au plus {days} jours.",
    ),
    (
        "duration_longer_than_window",
        "duration_minutes est plus long que la période entre window_start et window_end.",
    ),
    (
        "decline_message_ooo_only",
        "decline_message ne va qu'avec kind out_of_office.",
    ),
    (
        "location_needed",
        "kind working_location demande location : home, office ou elsewhere.",
    ),
    (
        "location_wl_only",
        "location ne va qu'avec kind working_location.",
    ),
    (
        "location_label_wl_only",
        "location_label ne va qu'avec kind working_location.",
    ),
    (
        "invite_own_event",
        "L'utilisateur organise cet événement, il n'y a donc pas d'invitation à laquelle répondre.",
    ),
    (
        "invite_not_guest",
        "L'utilisateur n'est pas invité à cet événement, il n'y a donc pas d'invitation à laquelle répondre.",
    ),
    (
        "series_id_named",
        "Cet identifiant désigne toute la série. Pour une seule occurrence, ou une et les suivantes, utilisez l'identifiant que list_events a donné pour cette occurrence.",
    ),
    (
        "scope_needed",
        "Cet événement se répète {words}. Demandez à l'utilisateur s'il faut changer seulement celui-ci (scope this), celui-ci et les suivants (following), ou tous (all).",
    ),
    (
        "not_a_zone",
        "{argument} « {text} » n'est pas un fuseau horaire IANA. Utilisez un nom comme America/New_York ou Europe/London.",
    ),
    (
        "not_a_time",
        "{argument} « {text} » n'est pas une date et heure ISO 8601. Utilisez une forme comme 2026-11-24T09:00:00 ou 2026-11-24T09:00:00-05:00.",
    ),
    (
        "date_out_of_range",
        "{argument} est en dehors des dates prises en charge.",
    ),
    (
        "window_end_before_start",
        "window_end doit être après window_start.",
    ),
    (
        "window_too_long",
        "window_end est plus de {days} jours après window_start. Demandez une période plus courte.",
    ),
    ("week_date", "week doit être une date comme 2026-11-23."),
    // What can be done instead of a change to a series the guard refused.
    (
        "series_unreadable",
        "Je ne peux pas réécrire cette série sans risque : sa règle de répétition n'est pas de celles que je modifie. Je peux déplacer ou annuler seulement celui-ci, ou les annuler tous.",
    ),
    (
        "series_uncountable",
        "Je ne peux pas compter sans risque les occurrences de cette série. Je peux déplacer seulement celle-ci.",
    ),
    (
        "series_doubles",
        "Deux d'entre eux tomberaient alors à la même heure. Je peux déplacer seulement celui-ci, ou choisir une heure qui ne tombe pas sur un autre.",
    ),
    (
        "series_wrong_day",
        "Je ne peux pas tous les déplacer ainsi : cette série se répète {words}, et aucune règle de répétition ne met chacun d'eux le nouveau jour, certains tomberaient donc le mauvais jour. Je peux déplacer seulement celui-ci, ou arrêter la série ici en annulant celui-ci et les suivants.",
    ),
    // Words said inside other sentences: why a draft or change cannot be sent, what is being
    // sent, which kind of entry.
    (
        "unusable_not_theirs",
        "il n'y en a aucun avec cet identifiant pour cet utilisateur",
    ),
    (
        "unusable_earlier_session",
        "il a été fait lors d'une session précédente",
    ),
    ("unusable_already_sent", "il a déjà été envoyé"),
    (
        "unusable_expired",
        "ils durent 15 minutes et celui-ci a expiré",
    ),
    ("unusable_unreadable", "il n'a pas pu être lu"),
    (
        "unusable_cancelled_since",
        "la réunion qu'il a créée a été annulée depuis",
    ),
    ("sending_invitations", "ces invitations"),
    ("sending_change", "cette modification"),
    ("kind_hold", "un créneau réservé"),
    ("kind_focus", "du temps de concentration"),
    ("kind_out_of_office", "des absences du bureau"),
    ("kind_working_location", "des lieux de travail"),
    // What each Google permission allows; the word that joins a list.
    ("word_and", "et"),
    (
        "permission_events",
        "voir et modifier les événements de votre agenda",
    ),
    (
        "permission_availability",
        "voir quand vous êtes libre ou occupé",
    ),
    (
        "permission_settings",
        "lire les réglages de votre agenda (votre fuseau horaire)",
    ),
    ("permission_calendars", "voir la liste de vos agendas"),
    ("permission_contacts", "chercher dans vos contacts"),
    (
        "permission_other_contacts",
        "chercher les personnes à qui vous avez écrit",
    ),
    // Why a sign-in or a page's request was refused.
    (
        "oauth_no_code",
        "la réponse de Google ne contenait ni code ni état",
    ),
    (
        "oauth_cookie_missing",
        "le cookie de connexion manque ou a expiré (il dure 10 minutes)",
    ),
    (
        "oauth_state_mismatch",
        "l'état ne correspond pas à la connexion de ce navigateur",
    ),
    (
        "oauth_state_used",
        "cette connexion a déjà été terminée ou a expiré",
    ),
    (
        "forbidden_foreign_origin",
        "cela doit venir de la page de ce site",
    ),
];
