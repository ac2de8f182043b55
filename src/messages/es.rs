//! Spanish (español).

pub(super) const TABLE: super::Table = &[
    (
        "draft_not_found",
        "Ese borrador de reunión no se puede enviar: {detail}. No se envió nada a nadie. Haz un borrador nuevo con draft_meeting, léelo en voz alta y envíalo cuando el usuario diga que sí.",
    ),
    (
        "in_progress",
        "Estoy enviando {what} ahora mismo, así que no las envié otra vez. Pregunta de nuevo en un momento para saber cómo fue.",
    ),
    (
        "change_not_found",
        "Ese cambio no se puede aplicar: {detail}. No se cambió nada. Propónlo otra vez con propose_change, léelo en voz alta y aplícalo cuando el usuario diga que sí.",
    ),
    (
        "not_organizer",
        "Otra persona organiza ese evento, así que solo quien lo organiza puede moverlo o cancelarlo. Puedo rechazarlo por el usuario con respond_to_invite.",
    ),
    (
        "event_changed",
        "Ese evento cambió desde que lo leí en voz alta, así que no lo cambié. Voy a mirarlo otra vez con propose_change.",
    ),
    (
        "kind_not_available",
        "Google Calendar no ofrece {kind} para este calendario, así que no se añadió nada. Puedo bloquear ese tiempo como una reserva simple, si el usuario quiere.",
    ),
    (
        "working_location_not_available",
        "Google Calendar no me permite indicar la ubicación de trabajo en esta cuenta, así que no se ha guardado nada. El usuario puede indicar dónde trabaja en la configuración de Google Calendar, en Horario y ubicación de trabajo.",
    ),
    ("series_change_unsupported", "{detail} No se cambió nada."),
    (
        "already_cancelled",
        "Ya está cancelado, no queda nada que cancelar.",
    ),
    (
        "already_cancelled_moving",
        "Ese evento fue cancelado, así que no se puede mover. Puedo bloquear la nueva hora con block_time o preparar una reunión nueva, si el usuario quiere.",
    ),
    (
        "url_expired",
        "Este enlace al calendario ha caducado. Pide al usuario que termine la llamada y vuelva a pulsar Start.",
    ),
    (
        "invalid_signature",
        "Este enlace al calendario no es válido, así que no puedo acceder al calendario. Pide al usuario que termine la llamada y vuelva a pulsar Start.",
    ),
    (
        "meeting_url_expired",
        "El enlace para enviar invitaciones y cambios ha caducado; por seguridad, dura poco tiempo después de Start. Las demás herramientas del calendario siguen funcionando. Pide al usuario que termine la llamada y vuelva a pulsar Start para enviar invitaciones o aplicar el cambio.",
    ),
    (
        "signed_out",
        "El usuario cerró la sesión después de empezar esta conversación, así que ya no puedo acceder a su calendario. Pídele que vuelva a iniciar sesión en la página y pulse Start.",
    ),
    (
        "not_signed_in",
        "No has iniciado sesión. Inicia sesión con Google en la página primero.",
    ),
    (
        "not_connected",
        "El Google Calendar de este usuario no está conectado. Pide al usuario que inicie sesión con Google en la página y vuelve a intentarlo.",
    ),
    (
        "google_reauth_required",
        "El acceso de Google a este calendario fue revocado o ha caducado. Pide al usuario que vuelva a iniciar sesión con Google en la página.",
    ),
    (
        "invalid_oauth_state",
        "No se pudo completar el inicio de sesión porque {detail}. Vuelve a la página e inicia sesión otra vez.",
    ),
    (
        "invalid_channel_token",
        "El token de canal de esta notificación no es válido.",
    ),
    ("forbidden", "Rechazado: {detail}."),
    (
        "google_error",
        "Google Calendar no respondió correctamente. Inténtalo de nuevo en un momento.",
    ),
    (
        "google_scope_missing_contacts",
        "Google no ha dado permiso a este servicio para {permission}. Pide al usuario que deletree la dirección de correo, o que pulse Permitir contactos en la página.",
    ),
    (
        "google_scope_missing",
        "Google no ha dado permiso a este servicio para {permission}. Pide al usuario que vuelva a iniciar sesión con Google en la página dejando marcados todos los permisos, y que pulse Start otra vez.",
    ),
    (
        "google_rate_limited",
        "Google Calendar está limitando las solicitudes ahora mismo. Inténtalo de nuevo en {seconds} segundos.",
    ),
    (
        "google_forbidden",
        "Google Calendar no permite este cambio en ese calendario o evento.",
    ),
    (
        "google_timeout",
        "Google Calendar está tardando demasiado en responder. Inténtalo de nuevo en un momento.",
    ),
    ("invalid_argument", "Un argumento no es válido: {detail}"),
    (
        "invalid_json",
        "Los argumentos de la herramienta no se pudieron leer como un objeto JSON: {detail}.",
    ),
    (
        "unsupported_media_type",
        "Los argumentos de la herramienta deben enviarse como JSON (Content-Type: application/json).",
    ),
    (
        "payload_too_large",
        "Los argumentos de la herramienta son demasiado grandes; deben ocupar menos de 64 kilobytes.",
    ),
    (
        "rate_limited",
        "Hay demasiadas solicitudes ahora mismo. Inténtalo de nuevo en {seconds} segundos.",
    ),
    (
        "invite_limit",
        "Esto enviaría correos a más de {per_hour} personas en una hora, el máximo permitido, así que no se envió ni cambió nada. Inténtalo de nuevo en {minutes} minutos, o con menos personas.",
    ),
    ("not_found", "No hay nada en esta dirección."),
    ("method_not_allowed", "Esta dirección no acepta ese método."),
    (
        "not_configured",
        "El servicio de calendario no está configurado del todo: falta {variable}. Quien lo gestiona debe definirla y reiniciarlo.",
    ),
    (
        "store_unavailable",
        "El servicio de calendario no puede acceder a su base de datos ahora mismo. Inténtalo de nuevo en un momento.",
    ),
    (
        "draining",
        "Esta instancia se está apagando; otra atiende las solicitudes.",
    ),
    (
        "internal_error",
        "Algo salió mal en el servicio de calendario. Inténtalo de nuevo.",
    ),
    (
        "anam_key_refused",
        "Anam rechazó la clave de API. Revisa ANAM_API_KEY.",
    ),
    (
        "anam_rate_limited",
        "Anam está limitando las sesiones nuevas de esta cuenta ahora mismo. Inténtalo de nuevo en {seconds} segundos.",
    ),
    (
        "anam_refused",
        "Anam rechazó la sesión. Comprueba que ANAM_AVATAR_ID, ANAM_VOICE_ID y ANAM_LLM_ID existen en tu cuenta de Anam (`calendar-agent anam avatars`, `voices`, `llms` los listan).",
    ),
    (
        "anam_unavailable",
        "Anam no responde ahora mismo. Inténtalo de nuevo en un momento.",
    ),
    (
        "change_finishing",
        "Google todavía no ha confirmado la nueva serie. Estoy terminando el cambio en segundo plano durante los próximos minutos; si Google lo sigue rechazando, dejaré la serie exactamente como estaba.",
    ),
    (
        "contacts_none_found",
        "Nadie en los contactos del usuario coincide con \"{query}\". Pide al usuario que deletree la dirección de correo electrónico.",
    ),
    (
        "account_not_found",
        "Esa no es una de las cuentas de Google que el usuario conectó aquí. Las cuentas aparecen en list_events; sin account se usa la principal.",
    ),
    (
        "account_last",
        "Es la única cuenta de Google conectada, así que no se puede quitar. Cierra la sesión, o usa «olvidarme» para borrarlo todo.",
    ),
    (
        "account_taken",
        "Esa cuenta de Google ya está conectada aquí para otra persona, así que no se añadió. Inicia sesión con ella y usa «olvidarme» primero.",
    ),
    (
        "account_unavailable",
        "No pude leer esta cuenta de Google ahora mismo, así que sus eventos faltan en esta respuesta. {detail}",
    ),
    // What is wrong with an argument (inside invalid_argument).
    ("arg_required", "{argument} es obligatorio."),
    ("arg_string", "{argument} debe ser un texto."),
    (
        "arg_too_long",
        "{argument} debe tener como máximo {max} caracteres.",
    ),
    (
        "arg_event_id",
        "{argument} no es un identificador de evento. Usa el identificador que dio list_events para el evento.",
    ),
    ("arg_whole_number", "{argument} debe ser un número entero."),
    ("arg_true_false", "{argument} debe ser true o false."),
    (
        "arg_email_list",
        "{argument} debe ser una lista de direcciones de correo.",
    ),
    (
        "arg_not_email",
        "«{text}» en {argument} no es una dirección de correo. Pide al usuario que la deletree.",
    ),
    (
        "arg_one_email",
        "{argument} debe ser una sola dirección de correo.",
    ),
    ("arg_one_of", "{argument} debe ser {listed} o {last}."),
    ("arg_the_word", "{argument} debe ser {last}."),
    ("end_after_start", "end debe ser posterior a start."),
    (
        "event_too_long",
        "Un evento puede durar como máximo {days} días.",
    ),
    (
        "no_such_event",
        "No hay ningún evento con ese event_id en el calendario. Usa list_events para encontrar el evento y su identificador.",
    ),
    (
        "attendees_too_many",
        "attendees puede nombrar como máximo a {max} personas a la vez.",
    ),
    (
        "attendees_none",
        "attendees debe nombrar al menos a una persona aparte del usuario.",
    ),
    (
        "move_needs",
        "{argument} es obligatorio para mover un evento.",
    ),
    (
        "series_no_start",
        "No puedo leer el inicio de esa serie; cambia solo este (scope this).",
    ),
    (
        "series_all_day_date",
        "Esa serie es de todo el día: da el nuevo día como fecha (como 2030-03-13) para moverlos todos, o mueve solo este a una hora (scope this).",
    ),
    (
        "duration_positive",
        "duration_minutes debe ser un número positivo de minutos.",
    ),
    (
        "duration_too_long",
        "duration_minutes debe ser como máximo de {days} días.",
    ),
    (
        "duration_longer_than_window",
        "duration_minutes es más largo que el periodo entre window_start y window_end.",
    ),
    (
        "decline_message_ooo_only",
        "decline_message solo va con kind out_of_office.",
    ),
    (
        "location_needed",
        "kind working_location necesita location: home, office o elsewhere.",
    ),
    (
        "location_wl_only",
        "location solo va con kind working_location.",
    ),
    (
        "location_label_wl_only",
        "location_label solo va con kind working_location.",
    ),
    (
        "invite_own_event",
        "El usuario organizó este evento, así que no hay invitación que responder.",
    ),
    (
        "invite_not_guest",
        "El usuario no es invitado de este evento, así que no hay invitación que responder.",
    ),
    (
        "series_id_named",
        "Ese identificador nombra toda la serie. Para una sola repetición, o una y las siguientes, usa el identificador que dio list_events para esa repetición.",
    ),
    (
        "scope_needed",
        "Este evento se repite {words}. Pregunta al usuario si cambiar solo este (scope this), este y los siguientes (following), o todos (all).",
    ),
    (
        "not_a_zone",
        "{argument} «{text}» no es una zona horaria IANA. Usa un nombre como America/New_York o Europe/London.",
    ),
    (
        "not_a_time",
        "{argument} «{text}» no es una fecha y hora ISO 8601. Usa una forma como 2026-11-24T09:00:00 o 2026-11-24T09:00:00-05:00.",
    ),
    (
        "date_out_of_range",
        "{argument} está fuera del intervalo de fechas admitido.",
    ),
    (
        "window_end_before_start",
        "window_end debe ser posterior a window_start.",
    ),
    (
        "window_too_long",
        "window_end es más de {days} días posterior a window_start. Pregunta por un periodo más corto.",
    ),
    ("week_date", "week debe ser una fecha como 2026-11-23."),
    // What can be done instead of a change to a series the guard refused.
    (
        "series_unreadable",
        "No puedo reescribir esa serie con seguridad: su regla de repetición no es de las que cambio. Puedo mover o cancelar solo este, o cancelarlos todos.",
    ),
    (
        "series_uncountable",
        "No puedo contar con seguridad las repeticiones de esa serie. Puedo mover solo esta.",
    ),
    (
        "series_doubles",
        "Eso pondría dos de ellos a la misma hora. Puedo mover solo este, o elegir una hora que no coincida con otro.",
    ),
    (
        "series_wrong_day",
        "No puedo moverlos todos así: esta serie se repite {words}, y ninguna regla de repetición pone cada uno en el nuevo día, así que algunos caerían en el día equivocado. Puedo mover solo este, o terminar la serie aquí cancelando este y los siguientes.",
    ),
    // Words said inside other sentences: why a draft or change cannot be sent, what is being
    // sent, which kind of entry.
    (
        "unusable_not_theirs",
        "no hay ninguno con ese identificador para este usuario",
    ),
    ("unusable_earlier_session", "se hizo en una sesión anterior"),
    ("unusable_already_sent", "ya se envió"),
    ("unusable_expired", "duran 15 minutos y este ha caducado"),
    ("unusable_unreadable", "no se pudo leer"),
    (
        "unusable_cancelled_since",
        "la reunión que creó se ha cancelado desde entonces",
    ),
    ("sending_invitations", "esas invitaciones"),
    ("sending_change", "ese cambio"),
    ("kind_hold", "un bloqueo"),
    ("kind_focus", "tiempo de concentración"),
    ("kind_out_of_office", "ausencias de la oficina"),
    ("kind_working_location", "lugares de trabajo"),
    // What each Google permission allows; the word that joins a list.
    ("word_and", "y"),
    (
        "permission_events",
        "ver y editar los eventos de tu calendario",
    ),
    (
        "permission_availability",
        "ver cuándo estás libre u ocupado",
    ),
    (
        "permission_settings",
        "leer la configuración de tu calendario (tu zona horaria)",
    ),
    ("permission_calendars", "ver la lista de tus calendarios"),
    ("permission_contacts", "buscar en tus contactos"),
    (
        "permission_other_contacts",
        "buscar a las personas a las que has escrito",
    ),
    // Why a sign-in or a page's request was refused.
    (
        "oauth_no_code",
        "la respuesta de Google no traía código ni estado",
    ),
    (
        "oauth_cookie_missing",
        "falta la cookie de inicio de sesión o ha caducado (dura 10 minutos)",
    ),
    (
        "oauth_state_mismatch",
        "el estado no coincide con el inicio de sesión de este navegador",
    ),
    (
        "oauth_state_used",
        "este inicio de sesión ya se completó o ha caducado",
    ),
    (
        "forbidden_foreign_origin",
        "esto debe venir de la propia página de este sitio",
    ),
];
