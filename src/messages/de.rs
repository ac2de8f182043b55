//! German (Deutsch).

pub(super) const TABLE: super::Table = &[
    (
        "draft_not_found",
        "Dieser Besprechungsentwurf kann nicht gesendet werden: {detail}. Es wurde niemandem etwas gesendet. Erstelle mit draft_meeting einen neuen Entwurf, lies ihn vor und sende ihn, nachdem der Nutzer zugestimmt hat.",
    ),
    (
        "in_progress",
        "Ich sende {what} gerade, deshalb habe ich sie nicht noch einmal gesendet. Frag gleich noch einmal, wie es ausgegangen ist.",
    ),
    (
        "change_not_found",
        "Diese Änderung kann nicht ausgeführt werden: {detail}. Es wurde nichts geändert. Schlag sie mit propose_change neu vor, lies sie vor und führe sie aus, nachdem der Nutzer zugestimmt hat.",
    ),
    (
        "not_organizer",
        "Jemand anderes organisiert diesen Termin, daher kann nur diese Person ihn verschieben oder absagen. Ich kann ihn stattdessen mit respond_to_invite für den Nutzer ablehnen.",
    ),
    (
        "event_changed",
        "Dieser Termin hat sich geändert, seit ich ihn vorgelesen habe, deshalb habe ich ihn nicht geändert. Ich sehe ihn mir mit propose_change noch einmal an.",
    ),
    (
        "kind_not_available",
        "Google Kalender bietet {kind} für diesen Kalender nicht an, daher wurde nichts eingetragen. Ich kann die Zeit stattdessen als einfache Blockierung eintragen, wenn der Nutzer möchte.",
    ),
    (
        "working_location_not_available",
        "Google Kalender lässt mich für dieses Konto keinen Arbeitsort festlegen, daher wurde nichts eingetragen. Der Nutzer kann seinen Arbeitsort in den Einstellungen von Google Kalender unter Arbeitszeit und Arbeitsort festlegen.",
    ),
    (
        "series_change_unsupported",
        "{detail} Es wurde nichts geändert.",
    ),
    (
        "already_cancelled",
        "Der Termin ist bereits abgesagt, es gibt nichts mehr abzusagen.",
    ),
    (
        "already_cancelled_moving",
        "Dieser Termin wurde abgesagt und kann daher nicht verschoben werden. Ich kann die neue Zeit mit block_time blockieren oder eine neue Besprechung ansetzen, wenn der Nutzer möchte.",
    ),
    (
        "url_expired",
        "Dieser Kalenderlink ist abgelaufen. Bitte den Nutzer, das Gespräch zu beenden und erneut auf Start zu drücken.",
    ),
    (
        "invalid_signature",
        "Dieser Kalenderlink ist ungültig, daher erreiche ich den Kalender nicht. Bitte den Nutzer, das Gespräch zu beenden und erneut auf Start zu drücken.",
    ),
    (
        "meeting_url_expired",
        "Der Link zum Senden von Einladungen und Änderungen ist abgelaufen; er gilt aus Sicherheitsgründen nur kurz nach Start. Die anderen Kalenderwerkzeuge funktionieren weiter. Bitte den Nutzer, das Gespräch zu beenden und erneut auf Start zu drücken, um Einladungen zu senden oder die Änderung auszuführen.",
    ),
    (
        "signed_out",
        "Der Nutzer hat sich seit Beginn dieses Gesprächs abgemeldet, daher erreiche ich seinen Kalender nicht mehr. Bitte ihn, sich auf der Seite wieder anzumelden und auf Start zu drücken.",
    ),
    (
        "not_signed_in",
        "Nicht angemeldet. Melde dich zuerst auf der Seite mit Google an.",
    ),
    (
        "not_connected",
        "Der Google Kalender dieses Nutzers ist nicht verbunden. Bitte den Nutzer, sich auf der Seite mit Google anzumelden, und versuche es dann erneut.",
    ),
    (
        "google_reauth_required",
        "Der Google-Zugriff auf diesen Kalender wurde widerrufen oder ist abgelaufen. Bitte den Nutzer, sich auf der Seite erneut mit Google anzumelden.",
    ),
    (
        "invalid_oauth_state",
        "Die Anmeldung konnte nicht abgeschlossen werden, weil {detail}. Geh zurück zur Seite und melde dich erneut an.",
    ),
    (
        "invalid_channel_token",
        "Das Kanal-Token dieser Benachrichtigung ist ungültig.",
    ),
    ("forbidden", "Abgelehnt: {detail}."),
    (
        "google_error",
        "Google Kalender hat nicht richtig geantwortet. Bitte versuche es gleich noch einmal.",
    ),
    (
        "google_scope_missing_contacts",
        "Google hat diesem Dienst nicht erlaubt, {permission}. Bitte den Nutzer stattdessen, die E-Mail-Adresse zu buchstabieren, oder auf der Seite Kontakte erlauben zu drücken.",
    ),
    (
        "google_scope_missing",
        "Google hat diesem Dienst nicht erlaubt, {permission}. Bitte den Nutzer, sich auf der Seite erneut mit Google anzumelden, alle Berechtigungen angehakt zu lassen und dann wieder auf Start zu drücken.",
    ),
    (
        "google_rate_limited",
        "Google Kalender begrenzt gerade die Anfragen. Versuche es in {seconds} Sekunden erneut.",
    ),
    (
        "google_forbidden",
        "Google Kalender erlaubt diese Änderung an diesem Kalender oder Termin nicht.",
    ),
    (
        "google_timeout",
        "Google Kalender braucht zu lange für eine Antwort. Bitte versuche es gleich noch einmal.",
    ),
    ("invalid_argument", "Eine Angabe ist ungültig: {detail}"),
    (
        "invalid_json",
        "Die Angaben des Werkzeugs konnten nicht als JSON-Objekt gelesen werden: {detail}.",
    ),
    (
        "unsupported_media_type",
        "Die Angaben des Werkzeugs müssen als JSON gesendet werden (Content-Type: application/json).",
    ),
    (
        "payload_too_large",
        "Die Angaben des Werkzeugs sind zu groß; sie müssen unter 64 Kilobyte bleiben.",
    ),
    (
        "rate_limited",
        "Gerade kommen zu viele Anfragen. Versuche es in {seconds} Sekunden erneut.",
    ),
    (
        "invite_limit",
        "Das würde in einer Stunde E-Mails an mehr als {per_hour} Personen senden, mehr als erlaubt, daher wurde nichts gesendet oder geändert. Versuche es in {minutes} Minuten erneut oder mit weniger Personen.",
    ),
    ("not_found", "Unter dieser Adresse gibt es nichts."),
    (
        "method_not_allowed",
        "Diese Adresse nimmt diese Methode nicht an.",
    ),
    (
        "not_configured",
        "Der Kalenderdienst ist nicht vollständig eingerichtet: {variable} fehlt. Wer ihn betreibt, muss es setzen und neu starten.",
    ),
    (
        "store_unavailable",
        "Der Kalenderdienst erreicht seine Datenbank gerade nicht. Bitte versuche es gleich noch einmal.",
    ),
    (
        "draining",
        "Diese Instanz fährt herunter; eine andere übernimmt die Anfragen.",
    ),
    (
        "internal_error",
        "Beim Kalenderdienst ist etwas schiefgegangen. Bitte versuche es erneut.",
    ),
    (
        "anam_key_refused",
        "Anam hat den API-Schlüssel abgelehnt. Prüfe ANAM_API_KEY.",
    ),
    (
        "anam_rate_limited",
        "Anam begrenzt gerade neue Sitzungen für dieses Konto. Versuche es in {seconds} Sekunden erneut.",
    ),
    (
        "anam_refused",
        "Anam hat die Sitzung abgelehnt. Prüfe, ob ANAM_AVATAR_ID, ANAM_VOICE_ID und ANAM_LLM_ID in deinem Anam-Konto existieren (`calendar-agent anam avatars`, `voices`, `llms` listen sie auf).",
    ),
    (
        "anam_unavailable",
        "Anam antwortet gerade nicht. Versuche es gleich noch einmal.",
    ),
    (
        "change_finishing",
        "Google hat die neue Serie noch nicht bestätigt. Ich schließe die Änderung in den nächsten Minuten im Hintergrund ab; lehnt Google sie weiter ab, stelle ich die Serie genau so wieder her, wie sie war.",
    ),
    (
        "contacts_none_found",
        "In den Kontakten des Nutzers passt niemand zu \"{query}\". Bitte den Nutzer, die E-Mail-Adresse zu buchstabieren.",
    ),
    (
        "account_not_found",
        "Das ist keines der Google-Konten, die der Nutzer hier verbunden hat. Die Konten stehen in list_events; ohne account wird das Hauptkonto benutzt.",
    ),
    (
        "account_last",
        "Das ist das einzige verbundene Google-Konto, es kann nicht entfernt werden. Bitte stattdessen abmelden oder mit „Vergiss mich“ alles löschen.",
    ),
    (
        "account_taken",
        "Dieses Google-Konto ist hier schon für jemand anderen verbunden und wurde nicht hinzugefügt. Zuerst damit anmelden und dort „Vergiss mich“ wählen.",
    ),
    (
        "account_unavailable",
        "Dieses Google-Konto konnte ich gerade nicht lesen, seine Termine fehlen in dieser Antwort. {detail}",
    ),
    // What is wrong with an argument (inside invalid_argument).
    ("arg_required", "{argument} fehlt."),
    ("arg_string", "{argument} muss ein Text sein."),
    (
        "arg_too_long",
        "{argument} darf höchstens {max} Zeichen lang sein.",
    ),
    (
        "arg_event_id",
        "{argument} ist keine Termin-ID. Nimm die ID, die list_events für den Termin genannt hat.",
    ),
    ("arg_whole_number", "{argument} muss eine ganze Zahl sein."),
    ("arg_true_false", "{argument} muss true oder false sein."),
    (
        "arg_email_list",
        "{argument} muss eine Liste von E-Mail-Adressen sein.",
    ),
    (
        "arg_not_email",
        "„{text}“ in {argument} ist keine E-Mail-Adresse. Bitte den Nutzer, sie zu buchstabieren.",
    ),
    (
        "arg_one_email",
        "{argument} muss eine einzelne E-Mail-Adresse sein.",
    ),
    ("arg_one_of", "{argument} muss {listed} oder {last} sein."),
    ("arg_the_word", "{argument} muss {last} sein."),
    ("end_after_start", "end muss nach start liegen."),
    (
        "event_too_long",
        "Ein Termin darf höchstens {days} Tage dauern.",
    ),
    (
        "no_such_event",
        "Im Kalender gibt es keinen Termin mit dieser event_id. Suche den Termin und seine ID mit list_events.",
    ),
    (
        "attendees_too_many",
        "attendees kann höchstens {max} Personen auf einmal nennen.",
    ),
    (
        "attendees_none",
        "attendees muss mindestens eine Person außer dem Nutzer nennen.",
    ),
    (
        "move_needs",
        "Um einen Termin zu verschieben, wird {argument} gebraucht.",
    ),
    (
        "series_no_start",
        "Den Beginn dieser Serie kann ich nicht lesen; ändere nur diesen einen Termin (scope this).",
    ),
    (
        "series_all_day_date",
        "Diese Serie ist ganztägig: Gib den neuen Tag als Datum an (etwa 2030-03-13), um alle zu verschieben, oder verschiebe nur diesen einen auf eine Uhrzeit (scope this).",
    ),
    (
        "duration_positive",
        "duration_minutes muss eine positive Anzahl Minuten sein.",
    ),
    (
        "duration_too_long",
        "duration_minutes darf höchstens {days} Tage betragen.",
    ),
    (
        "duration_longer_than_window",
        "duration_minutes ist länger als der Zeitraum zwischen window_start und window_end.",
    ),
    (
        "decline_message_ooo_only",
        "decline_message gehört nur zu kind out_of_office.",
    ),
    (
        "location_needed",
        "kind working_location braucht location: home, office oder elsewhere.",
    ),
    (
        "location_wl_only",
        "location gehört nur zu kind working_location.",
    ),
    (
        "location_label_wl_only",
        "location_label gehört nur zu kind working_location.",
    ),
    (
        "invite_own_event",
        "Der Nutzer hat diesen Termin selbst angelegt, es gibt also keine Einladung zu beantworten.",
    ),
    (
        "invite_not_guest",
        "Der Nutzer ist nicht zu diesem Termin eingeladen, es gibt also keine Einladung zu beantworten.",
    ),
    (
        "series_id_named",
        "Diese ID steht für die ganze Serie. Für einen einzelnen Termin, oder einen und die folgenden, nimm die ID, die list_events für diesen Termin genannt hat.",
    ),
    (
        "scope_needed",
        "Dieser Termin wiederholt sich {words}. Frag den Nutzer, ob nur dieser eine (scope this), dieser und die folgenden (following) oder alle (all) geändert werden sollen.",
    ),
    (
        "not_a_zone",
        "{argument} „{text}“ ist keine IANA-Zeitzone. Nimm einen Namen wie America/New_York oder Europe/London.",
    ),
    (
        "not_a_time",
        "{argument} „{text}“ ist kein Datum mit Uhrzeit nach ISO 8601. Nimm eine Form wie 2026-11-24T09:00:00 oder 2026-11-24T09:00:00-05:00.",
    ),
    (
        "date_out_of_range",
        "{argument} liegt außerhalb der unterstützten Daten.",
    ),
    (
        "window_end_before_start",
        "window_end muss nach window_start liegen.",
    ),
    (
        "window_too_long",
        "window_end liegt mehr als {days} Tage nach window_start. Frag nach einem kürzeren Zeitraum.",
    ),
    ("week_date", "week muss ein Datum wie 2026-11-23 sein."),
    // What can be done instead of a change to a series the guard refused.
    (
        "series_unreadable",
        "Diese Serie kann ich nicht sicher umschreiben: Ihre Wiederholungsregel gehört nicht zu denen, die ich ändere. Ich kann nur diesen einen Termin verschieben oder absagen, oder alle absagen.",
    ),
    (
        "series_uncountable",
        "Die Termine dieser Serie kann ich nicht sicher zählen. Ich kann nur diesen einen verschieben.",
    ),
    (
        "series_doubles",
        "Dann lägen zwei davon zur selben Zeit. Ich kann nur diesen einen verschieben oder eine Zeit wählen, die nicht auf einen anderen fällt.",
    ),
    (
        "series_wrong_day",
        "So kann ich nicht alle verschieben: Diese Serie wiederholt sich {words}, und keine Wiederholungsregel legt jeden davon auf den neuen Tag, manche lägen also am falschen Tag. Ich kann nur diesen einen verschieben oder die Serie hier beenden, indem ich diesen und die folgenden absage.",
    ),
    // Words said inside other sentences: why a draft or change cannot be sent, what is being
    // sent, which kind of entry.
    (
        "unusable_not_theirs",
        "für diesen Nutzer gibt es keinen mit dieser ID",
    ),
    (
        "unusable_earlier_session",
        "er stammt aus einer früheren Sitzung",
    ),
    ("unusable_already_sent", "er wurde schon gesendet"),
    (
        "unusable_expired",
        "sie gelten 15 Minuten, und dieser ist abgelaufen",
    ),
    ("unusable_unreadable", "er konnte nicht gelesen werden"),
    (
        "unusable_cancelled_since",
        "die Besprechung, die daraus entstand, wurde inzwischen abgesagt",
    ),
    ("sending_invitations", "diese Einladungen"),
    ("sending_change", "diese Änderung"),
    ("kind_hold", "eine Blockierung"),
    ("kind_focus", "Fokuszeit"),
    ("kind_out_of_office", "Abwesenheitseinträge"),
    ("kind_working_location", "Arbeitsorte"),
    // What each Google permission allows; the word that joins a list.
    ("word_and", "und"),
    (
        "permission_events",
        "deine Kalendertermine zu sehen und zu bearbeiten",
    ),
    (
        "permission_availability",
        "zu sehen, wann du frei oder beschäftigt bist",
    ),
    (
        "permission_settings",
        "deine Kalendereinstellungen zu lesen (deine Zeitzone)",
    ),
    ("permission_calendars", "die Liste deiner Kalender zu sehen"),
    ("permission_contacts", "deine Kontakte zu durchsuchen"),
    (
        "permission_other_contacts",
        "die Personen zu durchsuchen, denen du geschrieben hast",
    ),
    // Why a sign-in or a page's request was refused.
    (
        "oauth_no_code",
        "Googles Antwort enthielt weder Code noch Status",
    ),
    (
        "oauth_cookie_missing",
        "das Anmelde-Cookie fehlt oder ist abgelaufen (es gilt 10 Minuten)",
    ),
    (
        "oauth_state_mismatch",
        "der Status passt nicht zur Anmeldung dieses Browsers",
    ),
    (
        "oauth_state_used",
        "diese Anmeldung wurde schon abgeschlossen oder ist abgelaufen",
    ),
    (
        "forbidden_foreign_origin",
        "das muss von der eigenen Seite dieser Website kommen",
    ),
];
