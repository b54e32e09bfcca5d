# Lo que lee el equipo clínico: cartera de casos, clientes, sesiones, cuenta, supervisión, investigación.

## Navegación
nav-caseload = Casos
nav-add-client = Añadir cliente
nav-shared-reflections = Reflexiones compartidas
nav-your-patterns = Sus patrones
nav-research = Datos de investigación
nav-accounts = Cuentas
nav-therapists = Terapeutas
nav-audit-log = Registro de auditoría
nav-break-glass = Acceso de emergencia
nav-crisis = Información de crisis
nav-tablets = Tabletas
nav-your-account = Su cuenta
nav-sign-out = Cerrar sesión

## Inicio de sesión
login-sign-in = Iniciar sesión
login-heading = Iniciar sesión en Alliance
login-email = Correo electrónico
login-password = Contraseña
login-code-title = Iniciar sesión: código
login-code-heading = Introduzca su código
login-code-lead = Abra la aplicación de autenticación de su teléfono e introduzca el código de seis dígitos que muestra para Alliance.
login-code = Código
login-no-phone = ¿No tiene el teléfono a mano?
login-recovery-code = Un código de recuperación
login-recovery-code-example = abcd-efgh-jkmn-pqrs
login-with-recovery-code = Iniciar sesión con un código de recuperación
login-recovery-note = Cada código de recuperación sirve una sola vez. Si no tiene ninguno, pida al administrador de su consulta que restablezca su acceso.

## Cartera de casos
caseload-break-glass-heading = Acceso de un administrador a los expedientes de sus clientes
caseload-break-glass-open = Abra el cliente para darlo por visto.
caseload-hint = Quién le necesita primero: riesgo, luego la señal abierta más grave, algo nuevo esta semana, la peor evolución. Los detalles y la confirmación, en la página del cliente.
caseload-list-label = Clientes, quién le necesita primero
caseload-damaged = Expediente dañado
caseload-more = +{ $count } más
caseload-nothing-open = Nada pendiente
caseload-last-session = sesión { $number }, { $date }
alerts-needs-you = Un cliente le necesita.
alerts-answered =
    { $count ->
        [one] Este cliente respondió que ha tenido pensamientos de que estaría mejor muerto o de hacerse daño, y nadie lo ha confirmado todavía:
       *[other] Estos clientes respondieron que han tenido pensamientos de que estarían mejor muertos o de hacerse daño, y nadie lo ha confirmado todavía:
    }
alerts-record = Registre lo que hizo en la página del cliente.

## Cuenta
account-second-factor = Segundo factor
account-totp-on = Al iniciar sesión se pide un código de su aplicación de autenticación.
account-recovery-left =
    { $count ->
        [one] Le queda { $count } código de recuperación sin usar, para iniciar sesión sin su teléfono.
       *[other] Le quedan { $count } códigos de recuperación sin usar, para iniciar sesión sin su teléfono.
    }
account-recovery-low = Genere otros nuevos antes de que se agoten.
staff-your-password = Su contraseña
account-new-recovery-codes = Generar nuevos códigos de recuperación
account-totp-off = Desactivar el segundo factor
account-totp-why = Con un segundo factor, al iniciar sesión también se pide un código de seis dígitos de una aplicación de su teléfono, de modo que una contraseña robada no basta para abrir su cuenta.
account-totp-set-up = Configurar un segundo factor
account-change-password-heading = Cambiar su contraseña
account-change-password-note = Al cambiarla, se cierran todas las demás sesiones de su cuenta.
account-current-password = Contraseña actual
staff-new-password = Nueva contraseña
staff-new-password-again = Repita la nueva contraseña
account-change-password = Cambiar contraseña
account-sign-ins = Sus sesiones activas
account-browser = Navegador
staff-address = Dirección
account-started = Inicio
account-last-used = Último uso
account-end = Cerrar
account-this-one = (esta)
account-sign-out-here = Cerrar sesión aquí
account-end-sign-in = Cerrar esta sesión
account-time-zone = Zona horaria
account-time-zone-now = Las horas se muestran en { $zone }: ahora son las { $now }. «Hoy» en sus formularios es la fecha de esa zona.
account-your-time-zone = Su zona horaria
account-practice-zone = La de la consulta ({ $zone })
account-save-time-zone = Guardar zona horaria
account-sign-out-everywhere = Cerrar sesión en todas partes
account-sign-out-everywhere-note = Cierra todas las sesiones de su cuenta, en todos los ordenadores y teléfonos, incluida esta.
account-recovery-title = Sus códigos de recuperación
account-recovery-first = El segundo factor está activado: a partir de ahora, al iniciar sesión se pide un código de su aplicación.
account-recovery-keep = Si pierde el teléfono, cada uno de estos códigos le permite iniciar sesión una vez en lugar de un código de la aplicación. Guárdelos en un lugar seguro y separado de su teléfono: impresos y bajo llave, o en un gestor de contraseñas.
account-recovery-only-now = Solo se muestran ahora.
account-recovery-replaced = Todos los códigos de recuperación anteriores han dejado de funcionar.
account-recovery-without = Sin estos códigos y sin su teléfono, solo un administrador puede devolverle el acceso.
account-recovery-kept = Ya los he guardado: volver a su cuenta
account-totp-scan = Escanee este código con una aplicación de autenticación de su teléfono, o introduzca la clave a mano.
account-totp-key = Clave:
account-totp-open = Abrir en una aplicación de autenticación de este dispositivo
account-totp-confirm-note = Después introduzca el código que muestra la aplicación para confirmar. Hasta entonces, al iniciar sesión no se pide ningún código.
account-totp-confirm = Confirmar
reset-title = Establecer una nueva contraseña
reset-for = Para { $name }. Este enlace funciona una sola vez. Al establecer la contraseña se cierran todas las sesiones de su cuenta.
reset-set-password = Establecer contraseña

## Sesiones y clientes
session-tablet-code-title = Código para la tableta de la sala de espera
session-tablet-code-read = Léaselo al cliente. Abre el cuestionario de esta sesión una vez, en una tableta de la consulta, hasta { $until }.
session-back = Volver a la sesión
client-new-title = Añadir un cliente
client-pseudonym = Seudónimo
client-pseudonym-hint = Un código o un nombre de pila que solo usted reconozca. Alliance no necesita el nombre legal del cliente.
client-contact = Contacto (opcional)
client-contact-hint = Solo si quiere que Alliance se lo muestre; los enlaces también pueden darse con un código QR.
client-measures = Medidas de resultado en el cuestionario de cada sesión
client-depression = depresión
client-anxiety = ansiedad
client-start-of-care = Inicio de la atención
client-new-submit = Añadir cliente y abrir un episodio de atención
client-delete-title = Eliminar los datos de un cliente
client-delete-heading = Eliminar a { $pseudonym } y todos sus datos
client-delete-explain = Esto elimina al cliente y cada episodio de atención, sesión, enlace, respuesta, puntuación y señal confirmada, de inmediato y para siempre. Las copias de seguridad anteriores a hoy conservan los datos hasta que se sustituyan. El registro de auditoría guarda constancia de que usted eliminó al cliente, sin ninguno de sus datos.
client-delete-confirm = Escriba el seudónimo del cliente para confirmar
client-delete-submit = Eliminar al cliente y todos sus datos
client-delete-keep = Conservar al cliente
client-export-title = Exportar los datos de un cliente
client-export-heading = Exportar los datos de { $pseudonym }
client-export-explain = Para un cliente que solicita sus propios datos: sus sesiones, sus respuestas y puntuaciones, con los nombres de los cuestionarios. Sus propias reflexiones no se incluyen. La exportación queda registrada en el registro de auditoría.
client-export-format = Formato
client-export-html = Una página para imprimir o guardar
client-export-json = Un archivo JSON (para otro sistema)
client-export-submit = Exportar
client-back = Volver al cliente
reflection-title = Reflexión
session-number = Sesión { $number }
reflection-heading = Su reflexión sobre la sesión { $number }
reflection-save = Guardar reflexión
client-supervisor-view = Está viendo a este cliente como supervisor. Los cambios los hace el terapeuta del cliente.
client-break-glass-until = Acceso de emergencia: puede leer este expediente hasta { $until }. Cada página que abra queda registrada y se informa al terapeuta del cliente.
client-break-glass-heading = Acceso de un administrador a este expediente
client-acknowledge = Confirmar
client-signals = Señales
client-signal-new = Nueva para usted
client-signal-evidence = Indicios: { $evidence }
client-signal-what-to-do = Qué hacer
client-signal-suggestions = Sugerencias redactadas por Alliance a partir de la investigación sobre la reparación de rupturas y la retroalimentación; no es un protocolo validado.
client-risk-what-was-done = Qué se hizo
client-risk-when = Cuándo (hora de { $zone })
client-risk-note = Nota (obligatoria si no hizo falta ninguna acción: por qué)
client-risk-record = Registrar y confirmar
client-outcome = Resultado
client-alliance = Alianza
client-episode = Episodio
client-record-session-heading = Registrar una sesión
client-date = Fecha
client-attended = Asistió
client-record-session = Registrar sesión
client-end-of-care = Fin de la atención
client-end-episode = Cerrar este episodio de atención
client-open-episode = Abrir un episodio de atención
client-data-heading = Los datos del cliente
client-export-link = Exportar los datos del cliente
client-export-link-note = (ante una solicitud del cliente)
client-sessions = Sesiones
client-no-sessions = Todavía no hay sesiones registradas.
client-answers-column = Respuestas del cliente
client-reflection-column = Reflexión del terapeuta
client-missed = (no asistió)
client-open = Abrir

## Colaboración con el cliente
partner-stopped = Ya no se le pregunta.
partner-goals = Objetivos
partner-goals-hint = Hasta tres objetivos a la vez, con las palabras del propio cliente, acordados en sesión. El cliente valora cada uno de 0 (nada) a 10 (alcanzado) en cada cuestionario.
partner-no-goals = Todavía no hay objetivos.
partner-goal-status = ({ $status }; valoraciones: { $ratings })
partner-history = Historial
partner-agree-goal = Acordar este objetivo
partner-achieved = Alcanzado
partner-drop = Descartar
partner-new-wording = Nueva redacción
partner-reword = Reformular
partner-goal-today = Un objetivo acordado hoy, con las palabras del cliente
partner-add-goal = Añadir objetivo
partner-between-sessions = Entre sesiones
partner-no-tasks = Todavía no hay tareas acordadas.
partner-task-agreed = (acordada en { $agreed }; { $report })
partner-task-label = Una tarea acordada en la última sesión, hasta la siguiente
partner-add-task = Añadir tarea
partner-event-notes = Notas de acontecimientos
partner-no-notes = No hay notas de acontecimientos.
partner-note-kind = Tipo
partner-note = Nota
partner-add-note = Añadir nota
partner-schedule-heading = Qué preguntan los cuestionarios
partner-schedule-hint = Cuándo se pregunta cada cuestionario en este episodio. En la página de una sesión aún puede añadir u omitir uno para esa sesión.
partner-before-session = { $name } antes de la sesión
partner-save-schedule = Guardar el calendario
partner-consent = Consentimiento
partner-own-page = La página propia del cliente
partner-own-page-hint = Sus objetivos, valoraciones, tareas y resultado en palabras sencillas, tras un enlace personal sin cuenta. Nunca su reflexión, las señales ni la evolución esperada.
partner-personal-link = Enlace personal:
partner-link-works = El enlace funciona.
partner-no-link = Ningún enlace activo.
partner-issue-new-link = Emitir un nuevo enlace (el anterior deja de funcionar)
partner-give-link = Dar al cliente un enlace personal
partner-turn-link-off = Desactivar el enlace
partner-show-alliance = Mostrar en ella sus valoraciones de la relación
partner-hide-alliance = Ocultar en ella sus valoraciones de la relación
partner-alliance-hidden = Las valoraciones de la relación están ocultas en la página del cliente.
partner-alliance-shown = Las valoraciones de la relación se muestran en la página del cliente.

## Sesión
session-link-for-client = Enlace para el cliente
session-link-explain = Muestre el código QR o envíe el enlace. Funciona una sola vez y caduca el { $expires }. Permanece en esta página, en este navegador, durante dos horas mientras no se responda; si se pierde, cree uno nuevo (el anterior deja de funcionar).
session-check = Cuestionario del cliente
session-check-asks = Qué pregunta el cuestionario esta vez
session-due = toca
session-replace-link = Sustituir el enlace (el anterior deja de funcionar)
session-create-link = Crear un enlace y un código QR
session-replace-and-send = Sustituir el enlace y enviarlo al { $to } del cliente
session-create-and-send = Crear un enlace y enviarlo al { $to } del cliente
session-asks = Pregunta: { $asks }.
session-your-reflection = Su reflexión
session-previous-therapist = Esta sesión fue con el terapeuta anterior del cliente: su reflexión sigue siendo suya.
session-alliance-heading = Alianza de trabajo: cliente y terapeuta
session-scale = Escala
session-client = Cliente
session-therapist = Terapeuta
session-risk-item = Ítem de riesgo señalado

## Patrones e investigación
patterns-title = Patrones
patterns-of = Patrones: { $therapist }
patterns-hint = Patrones para la reflexión en supervisión, no una evaluación del desempeño. Las carteras de casos difieren en quién acude y qué trae, y unos pocos clientes mueven mucho estas cifras: úselas para elegir de qué hablar, nunca para comparar o calificar a terapeutas.
research-session-data = Datos por sesión, desidentificados
research-rows = Una fila por puntuación de escala valorada por el cliente en cada sesión (una sesión sin cuestionario tiene una fila con la puntuación vacía).
research-codes = Clientes y terapeutas se designan con identificadores de investigación: hashes con clave bajo la clave de esta consulta, iguales en cada descarga de esta consulta (así las descargas pueden unirse) y que no permiten llegar a un registro sin la clave.
research-days = El tiempo se expresa en días desde el inicio del episodio de atención; no hay fechas.
research-ruptures = Marcadores de ruptura: señalada por el cliente en el cuestionario, inicio de una ruptura detectada por el seguimiento de rupturas de Alliance, y sesión en que se reparó (1 = sí).
research-not-included = No se incluyen: seudónimos, datos de contacto, nombres, fechas, texto libre ni las reflexiones de los terapeutas.
research-format = Formato del archivo
research-format-unknown = Elija CSV o Parquet.
research-dictionary = Descargar el diccionario de datos (qué contiene cada columna)
research-columns = Columnas:
research-password = Su contraseña, para confirmar la descarga (queda anotada en el registro de accesos)
research-download = Descargar

## Supervisión
supervision-rows-caption = Clientes de { $name }, los más urgentes primero
supervision-open-signals = Señales abiertas
supervision-last = última { $date }
supervision-nothing-flagged = Nada señalado
supervision-clients-of = Clientes de { $name }
supervision-group-counts = { $clients } clientes · { $flagged } con señales abiertas · { $urgent } urgentes
supervision-page-urgent = página { $page }, los más urgentes primero
supervision-no-clients-page = No hay clientes en esta página.
supervision-pages = Páginas
supervision-more-urgent = Más urgentes
supervision-less-urgent = Menos urgentes
supervision-back = Volver a supervisión
supervision-title = Supervisión
supervision-waiting-heading = Reflexiones a la espera de su comentario
supervision-none-waiting = Ninguna reflexión compartida espera un comentario.
supervision-waiting-count = { $count } en espera:
supervision-newest = { $count ->
    [one] La más reciente:
   *[other] Las { $count } más recientes:
}
supervision-waiting-item = { $pseudonym }, sesión { $number } ({ $date })
supervision-feelings = sentimientos: { $feelings }
supervision-all-shared = Todas las reflexiones compartidas para supervisión
supervision-no-supervisees = Todavía no tiene supervisados. Un administrador le asigna terapeutas.
supervision-patterns-link = Patrones para la reflexión en supervisión
supervision-no-clients = Todavía no hay clientes.
supervision-all-clients = { $count ->
    [one] El único cliente de { $name }
   *[other] Los { $count } clientes de { $name }
}
supervision-more = ({ $count } más, los más urgentes primero)
supervision-shared-title = Reflexiones compartidas para supervisión
supervision-shared-hint = Lo que cada terapeuta decidió traer: su visión de la alianza, cualquier ruptura que advirtiera y sus sentimientos hacia el cliente. Sus notas privadas quedan para él.
supervision-shared-per = Compartidas por supervisado
supervision-shared = Compartidas
supervision-waiting-comment = A la espera de un comentario
supervision-shared-by = Compartidas por { $name }, las más recientes primero
supervision-all-shared-newest = Todas las reflexiones compartidas, las más recientes primero
supervision-everyone = De todos
supervision-nothing-shared = Todavía no se ha compartido nada.
supervision-no-reflections-page = No hay reflexiones en esta página.
supervision-session = sesión { $number }
supervision-alliance-view = Visión del terapeuta sobre la alianza
supervision-rupture = Ruptura advertida
supervision-feelings-row = Sentimientos hacia el cliente
supervision-how-strong = Intensidad
supervision-comment = Comentar
supervision-conversation = Conversación ({ $count })
supervision-page-total = { $total ->
    [one] Página { $page } · { $total } reflexión.
   *[other] Página { $page } · { $total } reflexiones.
}
supervision-newer = Más recientes
supervision-older = Más antiguas
supervision-thread-own = Usted llevó esta sesión a supervisión. Solo usted y su supervisor ven esta conversación; su nota privada no se le muestra.
supervision-thread-unshared = Esta sesión ya no está compartida para supervisión; la conversación se conserva para usted.
supervision-thread-supervisor = Solo usted y el terapeuta ven esta conversación.
supervision-focus = Lo que quiero llevar a supervisión
staff-save = Guardar
supervision-focus-own = Lo que quería llevar a supervisión
supervision-focus-therapist = Lo que el terapeuta quiere traer
supervision-no-comments = Todavía no hay comentarios.
supervision-reply = Responder
supervision-send = Enviar
staff-code-if-app = Código de su aplicación de autenticación (si la usa)

## Funciones
role-therapist = Terapeuta
role-supervisor = Supervisor
role-administrator = Administrador
role-researcher = Investigador
role-lower-therapist = terapeuta
role-lower-supervisor = supervisor
role-lower-administrator = administrador
role-lower-researcher = investigador

## Exportación para el cliente
export-title = Datos de { $pseudonym }
export-heading = Datos conservados sobre { $pseudonym }
export-when = Exportado el { $exported }. Cliente desde el { $since }.
export-episode = Episodio de atención desde el { $from }
export-episode-ended = Episodio de atención del { $from } al { $to }
export-goal-status = ({ $status }, propuesto por { $by }).
export-ratings = Valoraciones:
export-none = ninguna
export-history = Historial:
export-tasks = Tareas acordadas entre sesiones
export-not-reported = sin informar
export-obstacle = lo que lo impidió: { $obstacle }
export-not-attended = (no asistió)
export-answered = respondido el { $at }
export-question = Pregunta
export-answer = Respuesta
export-score = Puntuación
export-value = Valor
export-band = Rango
export-not-scored = sin puntuar

## Caseload lines
caseload-heading = Sus casos
caseload-empty = Todavía no hay clientes. Use «Añadir cliente» para empezar.
caseload-badge-risk = Riesgo
caseload-badge-rupture = Ruptura
caseload-badge-low-alliance = Alianza baja
caseload-badge-off-track = Fuera de lo esperado
caseload-badge-worse = Peor
caseload-badge-views-differ = Visiones distintas
caseload-badge-missing = Ausencias
caseload-badge-not-asked = Sin preguntar
caseload-badge-improved = Mejoría
caseload-badge-recovered = Recuperado
caseload-when-today = hoy
caseload-when-new = nueva
caseload-age-days = { $days } d
caseload-age-weeks = { $weeks } sem
caseload-age-months = { $months } m
caseload-alliance = alianza { $alliance }
caseload-alliance-falling = alianza { $alliance } en descenso
caseload-alliance-rising = alianza { $alliance } en ascenso
## How a client is doing
client-change-recovered = recuperado
client-change-improved = mejoría fiable
client-change-unchanged = sin cambio fiable
client-change-deteriorated = empeoramiento fiable
client-change-harmed = empeoramiento fiable hasta el rango clínico
client-change-from-first = { $change } desde la primera puntuación de { $first }
client-first-score = primera puntuación
client-no-outcome = Todavía sin resultado
client-alliance-therapist = terapeuta { $score }
client-trend-below = ↓ { $points } por debajo de lo reciente
client-trend-above = ↑ { $points } por encima de lo reciente
client-trend-steady = estable
client-trend-first-check = primer cuestionario
client-no-check = Todavía sin cuestionario
client-track-white = en el rango no clínico
client-track-green = según lo esperado
client-track-yellow = por debajo de lo esperado
client-track-red = en riesgo de un mal resultado
## Signals as the client page shows them
client-signal-risk = Riesgo
client-signal-rupture = Ruptura
client-signal-low-alliance = Alianza baja
client-signal-not-on-track = Fuera de lo esperado
client-signal-deterioration = Empeoramiento fiable
client-signal-discrepancy = Visiones distintas de la alianza
client-signal-disengagement = Desvinculación
client-signal-stopped-asking = Pidió que no se le preguntara
client-signal-improvement = Mejoría fiable
client-signal-recovery = Recuperación
client-signal-acknowledged = Confirmada por { $name } el { $date }
client-risk-action = { $action } el { $at } (registrado por { $name } el { $recorded })
alerts-today = hoy
alerts-yesterday = ayer
alerts-days-ago =
{ $days ->
    [one] hace { $days } día
   *[other] hace { $days } días
}
client-risk-contacted = Se contactó con el cliente
client-risk-safety-plan = Plan de seguridad revisado
client-risk-referred = Derivado
client-risk-not-needed = No fue necesario
client-evidence-item9 = PHQ-9 ítem 9
client-evidence-session = sesión
client-evidence-level-before = nivel previo
client-evidence-lowest = mínimo
client-evidence-drop = descenso
client-evidence-length = duración en sesiones
client-evidence-repair-session = reparada en la sesión
client-evidence-therapist = terapeuta
client-evidence-client = cliente
client-evidence-score = puntuación
client-evidence-boundary = límite del rango habitual
client-evidence-cutoff = umbral de preocupación
client-evidence-first = primera
client-evidence-latest = última
client-evidence-rci = índice de cambio fiable
client-evidence-missed-sessions = sesiones seguidas sin asistir
client-evidence-missed-checks = sesiones seguidas sin cuestionario

## Supervision: a shared reflection in words
supervision-alliance-total = { $total } de 30 (objetivos { $goals }, tareas { $tasks }, vínculo { $bond })
supervision-not-rated = Sin valorar
supervision-not-answered = Sin responder
supervision-repaired = reparada: { $repaired }
supervision-none-noted = Ninguno anotado
supervision-bad-page = La página debe ser un número entero a partir de 1.
supervision-bad-therapist = El terapeuta debe indicarse por su número, como en los enlaces de esta página.
supervision-bad-query = Esta página solo admite un número de página y un terapeuta.
supervision-not-shared = Esta reflexión no está compartida para supervisión, así que no hay conversación a la que añadir nada.
supervision-share-first = Primero lleve esta sesión a supervisión en su reflexión; después escriba lo que quiere traer.

## The client page: forms, charts and the sessions table
client-unknown-measure = Medida de resultado desconocida.
client-pseudonym-error = Seudónimo: { $error }.
client-contact-error = Contacto: como máximo 200 caracteres de texto sin formato, en una sola línea.
client-start-of-episode = Inicio del episodio
client-end-of-episode = Fin del episodio
client-end-in-future = Un episodio no puede terminar en el futuro.
client-date-missing = { $field }: indique una fecha.
client-date-invalid = { $field }: { $error }.
chart-cutoff = punto de corte { $value }
chart-outcome-description = Puntuaciones de { $measure } de { $first } en la sesión { $from } a { $last } en la sesión { $to }; más alto significa más grave.
chart-outcome-cutoff = La línea negra de trazos largos es el { $cutoff } clínico.
chart-outcome-title = { $measure } por sesión
chart-client = Cliente
chart-therapist = Terapeuta
chart-expected = Esperada
chart-below-expectation = Por debajo de lo esperado
chart-at-risk = En riesgo
chart-expected-description = Líneas finas discontinuas sin puntos: la evolución esperada para esta puntuación inicial (trazos grises) y los límites por encima de los cuales el cliente está por debajo de lo esperado (puntos naranjas) o en riesgo de un mal resultado (raya y punto bermellón).
chart-amber-edge = Límite ámbar
chart-red-edge = Límite rojo
chart-repaired-score = puntuación de vuelta a su nivel
chart-repaired-client = el cliente dijo que se habló
chart-repaired-therapist = el terapeuta dijo que se reparó
chart-repair-marker = Sesión { $session }: reparada, { $basis } (ruptura de la sesión { $onset })
chart-repaired-in = reparada en la sesión { $session } ({ $basis })
chart-not-repaired = sin reparar en la sesión { $session }
chart-repair-unknown = reparación desconocida (sin cuestionario desde entonces)
chart-repair-possible = reparación aún posible
chart-rupture-marker = Sesión { $session }: ruptura ({ $rule }); { $repair }
chart-rupture-reported = señalada
chart-rupture-dip = descenso
chart-concern = preocupación { $value } (provisional)
chart-alliance-description = Alianza de trabajo (objetivos, tareas y vínculo; de 6 a 30, más alto es mejor) valorada por el cliente tras { $client } sesiones y por el terapeuta tras { $therapist }. Los triángulos bermellón hacia abajo marcan rupturas (señaladas, o un descenso respecto a la variabilidad propia del cliente); los triángulos verdes hacia arriba marcan reparaciones.
chart-alliance-title = Alianza de trabajo por sesión: cliente y terapeuta
chart-alliance-axis = Alianza
chart-goals = Objetivos
chart-tasks = Tareas
chart-bond = Vínculo
chart-gtb-description = Valoraciones del cliente del acuerdo sobre objetivos, sobre tareas y del vínculo (de 2 a 10 cada una, más alto es mejor).
chart-gtb-title = Objetivos, tareas y vínculo por sesión (cliente)
chart-subscale = Subescala
client-rupture-flag = (ruptura)
client-reflection-alliance = Alianza { $value }
client-reflection-alliance-supervision = Alianza { $value }, para supervisión
client-episode-since =
{ $count ->
    [one] Desde el { $date }; { $count } sesión.
   *[other] Desde el { $date }; { $count } sesiones.
}
client-no-episode = No hay ningún episodio de atención abierto.
client-risk-choose = Elija qué se hizo.
client-risk-give-time = Indique la fecha y la hora en que se actuó.
client-not-saved = No se guardó: { $error }.
chart-rupture-sudden-loss = caída brusca
chart-rupture-below-cutoff = bajo el punto de corte

## The partnership section of the client page
chart-goal = Objetivo { $number }
chart-goal-line = Objetivo { $number } ({ $goal }): de { $first } a { $last } sobre 10.
chart-goals-title-own = Sus valoraciones de objetivos por sesión
chart-goals-title-client = Valoraciones de objetivos del cliente por sesión
chart-goals-description = Avance hacia cada objetivo, de 0 (nada) a 10 (alcanzado). { $lines }
chart-goal-rating = Valoración del objetivo
partner-stopped-text = El cliente pidió el { $date } que no se le enviaran cuestionarios: no se puede crear ningún enlace nuevo hasta que vuelva a empezar desde su propia página o desde un enlace que tenga. Háblelo con él.
partner-consent-not-shown = Aún no mostrado: el cliente lo verá con su primer cuestionario.
partner-consent-given = Mostrado y aceptado el { $date } (versión del texto { $version }); uso de sus respuestas para investigación: { $research }.
partner-yes = sí
partner-no = no
partner-ratings-two = { $first } en la sesión { $from }, ahora { $last } en la sesión { $to }
partner-ratings-one = { $rating } en la sesión { $session }
partner-not-rated = aún sin valorar
partner-history-text = { $date }: { $change } como «{ $text }»
partner-history-change = { $date }: { $change }
partner-goal-proposed-status = propuesto por el cliente, para acordar en sesión
partner-goal-agreed = acordado
partner-goal-achieved = alcanzado
partner-goal-dropped = descartado
partner-goal-proposed = propuesto
partner-goal-reworded = reformulado
partner-no-task-reported = Todavía no se ha informado sobre ninguna tarea.
partner-completion = Se hicieron { $done } de { $reported } tareas informadas ({ $percent } % contando como media una tarea hecha en parte).
partner-task-session = sesión { $number }
partner-task-not-reported = aún sin informar
partner-task-done = hecha
partner-task-partly = hecha en parte
partner-task-not-done = no hecha
partner-task-obstacle = { $done }; lo que lo impidió: «{ $obstacle }»
partner-kind-medication = Cambio de medicación
partner-kind-life-event = Acontecimiento vital
partner-kind-break = Pausa en la terapia
partner-kind-other = Otro
partner-cadence-every = cada sesión
partner-cadence-second = cada dos sesiones
partner-cadence-third = cada tres sesiones
partner-cadence-nth = cada { $n } sesiones
partner-cadence-first-last = la primera y la última sesión
partner-no-episode = El cliente no tiene ningún episodio de atención abierto.
partner-choose-goal-change = Elija qué hacer con el objetivo.
partner-link-changed = El enlace cambió mientras tanto. Vuelva a cargar la página.
partner-choose-page-change = Elija qué hacer con la página del cliente.
partner-episode-ended = El episodio ha terminado.
partner-schedule-error = El calendario: { $error }.
partner-schedule-before = El calendario: «antes de la sesión» es sí o se omite.
partner-note-error = La nota: { $error }.
partner-goal-error = El objetivo: { $error }.
partner-which-goal = ¿Qué objetivo?
partner-task-error = La tarea: { $error }.
partner-note-date = La fecha de la nota

## The session page
session-episode-ended = Este episodio de atención ha terminado.
session-attended-invalid = «Asistió» debe ser sí o quedar vacío.
session-not-scored = sin puntuar (faltan demasiadas respuestas)
session-prorated = (prorrateada)
session-choose-one = Elija al menos un cuestionario.
session-not-askable = Ese cuestionario no es uno de los que puede preguntar el cuestionario de este cliente.
session-no-link = Todavía no se ha creado ningún enlace.
session-answered = Respondido por el cliente.
session-link-expired = El último enlace caducó sin respuesta.
session-link-open = Hay un enlace abierto hasta { $until }.
session-answer-title = { $questionnaire } — { $who }
session-reflection-recorded = Registrada.
session-reflection-not-recorded = Aún no registrada.
session-reflection-edit = Editar reflexión
session-reflection-record = Registrar reflexión
session-cannot-send = El enlace no se puede enviar: el contacto del cliente no es una dirección de correo electrónico ni un número de teléfono con su prefijo internacional (+44 ...), o este servidor no envía por esa vía. Muestre el código QR en su lugar.
session-send-invalid = «Enviar» debe ser sí o omitirse.
session-all-answered = El cliente ha respondido todo lo que tocaba en esta sesión; marque un cuestionario para preguntarlo de todos modos.
session-email = correo electrónico
session-phone = teléfono (SMS)
session-text-message = SMS
session-delivery-sent-link = El enlace se envió por { $medium } el { $at }.
session-delivery-sent-reminder = El recordatorio se envió por { $medium } el { $at }.
session-delivery-failed = No se pudo entregar el { $medium }: { $why }.
session-delivery-retrying = El { $medium } aún no se ha entregado (intentos: { $attempts }; se vuelve a intentar): { $why }.
session-delivery-waiting-link = El enlace está a la espera de enviarse por { $medium }.
session-delivery-waiting-reminder = El recordatorio está a la espera de enviarse por { $medium }.
session-no-reason = no se guardó el motivo
session-check-form = Revise el formulario: { $error }.
session-cadence-timing = { $cadence }, { $timing }
session-before = antes de la sesión

## Account and sign-in messages
account-not-changed-same = No se ha cambiado: las dos contraseñas nuevas no coinciden.
account-not-changed = No se ha cambiado: { $why }.
account-not-changed-race = No se ha cambiado: la contraseña se cambió en otro lugar en ese mismo momento.
account-password-changed = Su contraseña se ha cambiado.
account-password-changed-ended =
{ $count ->
    [one] Su contraseña se ha cambiado. Se cerró { $count } sesión más.
   *[other] Su contraseña se ha cambiado. Se cerraron { $count } sesiones más.
}
account-no-setup = No hay ninguna configuración que confirmar.
account-code-wrong = Ese código no es correcto. Compruebe la hora de su teléfono e introduzca el código más reciente.
account-recovery-needs-factor = Los códigos de recuperación sustituyen a un segundo factor: configure uno primero.
account-totp-removed = El segundo factor está desactivado.
account-qr-label = Código QR para su aplicación de autenticación
account-not-recorded = no registrado
account-unknown-browser = Un navegador desconocido
account-browser-on = { $browser } en { $system }
account-sign-in-ended = Esa sesión ya se ha cerrado. Vuelva a cargar la página.
account-step-password = Antes de continuar, elija su propia contraseña más abajo: la que usó para iniciar sesión la estableció un administrador.
account-step-second-factor = Antes de continuar, vuelva a configurar su segundo factor: un administrador quitó el anterior al restablecer su acceso.
login-wrong = La dirección de correo electrónico o la contraseña no son correctas.
login-too-long = Ese inicio de sesión tardó demasiado o ya había terminado. Vuelva a iniciar sesión.
login-recovery-wrong = Ese código de recuperación no es correcto o ya se usó.
login-code-wrong = Ese código no es correcto o ya se usó. Introduzca el código más reciente de su aplicación.
reset-not-valid-title = Enlace no válido
reset-not-valid = Este enlace ya no es válido: se usó, caducó o lo sustituyó un enlace más reciente.
reset-ask-admin = Pida uno nuevo al administrador de su consulta.
reset-not-set-same = No se ha establecido: las dos contraseñas no coinciden.
reset-not-set = No se ha establecido: { $why }.
reset-done-title = Contraseña establecida
reset-done = Su nueva contraseña está establecida. Se cerraron todas las sesiones anteriores de su cuenta.
reset-sign-in-now = Inicie sesión con ella ahora.

## Patterns
patterns-caption-clients =
{ $count ->
    [one] La alianza de trabajo valorada por el cliente (de 6 a 30, más alto es mejor) de { $count } cliente activo, por número de sesión.
   *[other] La alianza de trabajo valorada por los clientes (de 6 a 30, más alto es mejor) de { $count } clientes activos, por número de sesión.
}
patterns-caption-quartiles = La alianza de trabajo valorada por los clientes (de 6 a 30, más alto es mejor) de { $count } clientes activos, por número de sesión: la mediana y los cuartiles (la mitad de los clientes entre ellos), en los números de sesión con al menos 5 puntuaciones.
patterns-median = Mediana
patterns-lower-quartile = Cuartil inferior
patterns-upper-quartile = Cuartil superior
patterns-chart-title = Alianza de trabajo de los clientes por sesión
patterns-active-how = Clientes con un episodio de atención abierto; todas las cifras siguientes se refieren a ellos.
patterns-level-how = Media de la última puntuación de alianza de cada cliente (de 6 a 30), de { $count } clientes.
patterns-trend-how = Media de la pendiente de cada cliente en sus últimas { $window } puntuaciones (clientes con al menos { $min }): contribuyen { $count } clientes.
patterns-ruptures = { $count } detectadas: { $repaired } reparadas, { $unrepaired } sin reparar, { $open } aún abiertas
patterns-ruptures-how = Señaladas por el cliente o el terapeuta, o un descenso en la alianza del cliente; reparadas cuando se hablaron o cuando la puntuación se recuperó.
patterns-signals-how = Las señales abiertas aún requieren atención (el riesgo del último cuestionario siempre la requiere).
patterns-days-how = Desde la sesión a la que se refiere una señal hasta su confirmación. Las señales abiertas llevan { $days } días esperando (mediana).
patterns-checks-how = { $answered } de { $due } sesiones con asistencia (no se cuentan los cuestionarios aún abiertos).
patterns-active = Clientes activos
patterns-level = Nivel de alianza
patterns-trend = Tendencia de la alianza
patterns-per-session = { $value } por sesión
patterns-ruptures-label = Rupturas
patterns-signals = Señales
patterns-signals-value = { $open } abiertas, { $acknowledged } confirmadas
patterns-days = Días hasta la confirmación
patterns-median-value = { $value } (mediana)
patterns-checks = Cuestionarios respondidos por los clientes
patterns-tasks = Tareas entre sesiones hechas
patterns-tasks-how = De { $count } tareas acordadas en sesión e informadas en el cuestionario siguiente; una tarea hecha en parte cuenta como media.
## Rights
client-delete-mismatch = El nombre escrito no es el seudónimo del cliente. No se ha eliminado nada.
client-deleted-title = Cliente eliminado
client-deleted = Se han eliminado el cliente y todos sus datos.
client-export-unknown = Formato de exportación desconocido.

## Chart drawing
chart-rupture = Ruptura
chart-repair = Reparación
chart-event-note = Nota de acontecimiento
chart-session-axis = Sesión
chart-point = { $series }: sesión { $session }, { $value }

## Printed export codes
export-revised = reformulado
export-by-client = el cliente
export-by-therapist = el terapeuta
export-done-yes = sí
export-done-partly = en parte
export-done-no = no

## More staff words
client-level-critical = crítica
client-level-urgent = urgente
client-level-warning = advertencia
client-level-notice = aviso
client-level-info = información
session-qr-label = Código QR del enlace

## More evidence names
client-evidence-gap = diferencia
client-evidence-threshold = umbral
client-evidence-change = cambio
client-evidence-expected = esperado
client-evidence-alliance = alianza
client-evidence-episode-start = sesión de inicio del episodio

## Session dates
session-date-field = Fecha de la sesión

## Clinical support (issue 18)
support-heading = Apoyo clínico
support-not-validated = El cuestionario de obstáculos, la ruta de decisión y las estrategias de reparación son redacción propia de este proyecto, aún no validada: sugerencias para su criterio, no instrucciones.
barrier-heading = Lo que podría estar dificultando
barrier-check-name = Cuestionario de obstáculos
barrier-requested = El cuestionario de obstáculos se preguntará con el próximo enlace (solicitado el { $date }).
barrier-withdraw = No preguntarlo
barrier-suggest-not-on-track = El cliente no va según lo esperado. Un breve cuestionario de obstáculos en el próximo enlace pregunta por la relación, la disposición al cambio, el apoyo y los acontecimientos recientes.
barrier-suggest = Si la terapia parece estancada, un breve cuestionario de obstáculos en el próximo enlace pregunta por la relación, la disposición al cambio, el apoyo y los acontecimientos recientes.
barrier-request = Preguntar el cuestionario de obstáculos en el próximo enlace
barrier-start-here = empiece aquí
barrier-answered = Respondido en la sesión { $session } ({ $date }). En el orden en que conviene abordarlos:
barrier-mspss = Apoyo social percibido (MSPSS, sesión { $session }): { $value } de 7 de media.
barrier-status-flagged = está dificultando ({ $score } de { $of })
barrier-status-clear = sin obstáculo aquí ({ $score } de { $of })
barrier-status-unanswered = sin responder
barrier-step-reconsider = Después, si el cliente sigue sin ir según lo esperado: replantear la formulación o derivar
barrier-domain-alliance = La relación
barrier-domain-motivation = Disposición al cambio
barrier-domain-support = Apoyo social
barrier-domain-life-events = Acontecimientos vitales recientes
barrier-action-alliance-ask = Pregunte directamente al cliente cómo le va el trabajo conjunto y qué lo haría más útil; acoja lo que diga sin defenderse.
barrier-action-alliance-adjust = Revisen juntos los objetivos y las tareas: acuerden, con las palabras del cliente, en qué trabajar a continuación y cómo.
barrier-action-alliance-supervision = Lleve la relación a supervisión o consulta, con los cuestionarios del cliente y sus reflexiones.
barrier-action-motivation-explore = Explore la ambivalencia ante el cambio: qué le aporta al cliente seguir igual y qué haría que el cambio valiera la pena (entrevista motivacional).
barrier-action-motivation-goals = Compruebe que los objetivos son del propio cliente y haga el siguiente paso lo bastante pequeño para que sea factible.
barrier-action-motivation-pace = Hablen abiertamente de la disposición: acuerden un ritmo, o una pausa, en lugar de insistir.
barrier-action-support-map = Haga un mapa de quién rodea al cliente: quién ayuda, quién no y a quién podría acudir.
barrier-action-support-involve = Con el consentimiento del cliente, valore implicar a alguien cercano o una ayuda práctica (un grupo, un igual, un servicio).
barrier-action-support-community = Indique apoyos fuera de la terapia que el cliente podría usar entre sesiones (comunidad, fe, grupos de iguales o en línea).
barrier-action-events-attend = Pregunte qué ocurrió y cómo afecta ahora al cliente; puede que deba ir primero durante un tiempo.
barrier-action-events-problem-solve = Ayude con el lado práctico (resolución de problemas, servicios de asesoramiento) y ajuste el plan a lo que el cliente puede asumir ahora.
barrier-action-events-risk = Tras una pérdida o una crisis, compruebe la seguridad y el riesgo, y pregunte por el sueño, el alcohol y las drogas.
barrier-action-reconsider-formulation = Revise la formulación y el plan de tratamiento: ¿es el enfoque adecuado, con la intensidad adecuada, para este problema?
barrier-action-reconsider-consult = Consulte el caso con un colega o con su supervisor/a.
barrier-action-reconsider-refer = Valore una derivación: una revisión de la medicación, un servicio especializado u otra forma de terapia.
repair-heading = Rupturas y reparación
repair-hint = Estrategias ajustadas al tipo de ruptura: las inmediatas abordan la tarea o el objetivo; las exploratorias convierten lo ocurrido entre ustedes en el tema. Registre lo que intentó; los próximos cuestionarios muestran si la alianza se recuperó.
repair-rupture-heading = Ruptura en la sesión { $session } ({ $kind })
repair-kind-withdrawal = retirada
repair-kind-confrontation = confrontación
repair-kind-unknown = tipo no indicado
repair-status-repaired = La alianza se recuperó.
repair-status-unrepaired = No reparada dentro del plazo de reparación.
repair-status-open = Todavía abierta.
repair-approach-immediate = inmediata
repair-approach-exploratory = exploratoria
repair-strategies = Estrategias para esta ruptura
repair-what-tried = Lo que intentó
repair-in-session = En la sesión
repair-note = Nota (solo usted la ve)
repair-record = Registrar
repair-attempt-line = Sesión { $session }: { $strategy }. { $outcome }
repair-outcome-came-back = La alianza se recuperó en la sesión { $session }.
repair-outcome-not-back = La alianza no se recuperó dentro del plazo de reparación.
repair-outcome-not-yet = Aún no se ha recuperado.
repair-outcome-no-check = Sin cuestionario de relación desde entonces.
repair-outcome-back-before = La alianza ya se había recuperado antes.
repair-strategy-clarify-rationale = Aclarar el sentido de la tarea o el objetivo y comprobar que el cliente lo entiende
repair-strategy-adjust-task = Cambiar la tarea o su ritmo para que el cliente pueda implicarse
repair-strategy-invite-disagreement = Invitar al cliente a decir lo que no le encaja y acoger el desacuerdo
repair-strategy-name-withdrawal = Señalar en voz alta, con tacto, el retraimiento y explorar cómo fue
repair-strategy-acknowledge-part = Reconocer la propia parte en lo ocurrido, sin defenderse
repair-strategy-change-goal = Renegociar el objetivo o la tarea que el cliente rechaza
repair-strategy-explore-anger = Explorar la frustración del cliente y el dolor o la decepción que hay debajo
repair-strategy-metacommunicate = Hablar de lo que está pasando entre ustedes ahora mismo (metacomunicación)
repair-strategy-link-pattern = Relacionar la tensión con los patrones del cliente en otras relaciones, con tacto y con su acuerdo
support-episode-ended = Este episodio de atención ha terminado.
support-reason-invalid = Elija por qué se pregunta el cuestionario de obstáculos.
support-session-invalid = Elija una sesión de este episodio.
support-tried-before-rupture = Una reparación se intenta en la sesión de la ruptura o después.
support-strategy-invalid = Elija una estrategia de la lista.
client-end-reason = Cómo terminó la atención
client-end-reason-unsaid = Sin indicar
client-end-reason-completed = Completada según lo acordado
client-end-reason-dropped-out = El cliente dejó de venir sin acordar el final
client-end-reason-referred = Derivado a otro lugar
client-end-reason-other = Otro
client-end-reason-invalid = Elija de la lista cómo terminó la atención.
session-when-requested = cuando usted lo solicita
session-when-chosen = cuando se marca
session-yes = Sí
session-no = No
session-prediction-heading = Su predicción y el cuestionario del cliente
session-prediction-yours = Su predicción
session-prediction-rating = Valoración del trabajo conjunto (por ítem, de 1 a 5)
session-prediction-strain = Un momento en que algo no fue bien
session-prediction-spotted = Usted esperaba la tensión que el cliente indicó.
session-prediction-missed = El cliente indicó una tensión que usted no esperaba.
session-prediction-not-reported = Usted esperaba una tensión que el cliente no indicó.
session-prediction-both-none = Ninguno de los dos indicó una tensión.
session-prediction-after-check = Guardada después de llegar el cuestionario del cliente, por lo que no cuenta en sus patrones.
session-prediction-hint = Para la reflexión, no para evaluar. Las rupturas reconocidas no empeoraron los síntomas de la sesión siguiente, y las no reconocidas sí (Chen et al. 2018).
patterns-spotted-label = Tensiones que usted esperaba
patterns-spotted = { $spotted } de { $reported } tensiones indicadas por los clientes ({ $percent } %)
patterns-spotted-none = Ninguna tensión indicada donde usted hizo una predicción
patterns-spotted-how = A partir de las predicciones de sus reflexiones guardadas antes de llegar el cuestionario ({ $compared } sesiones); además esperaba { $unexpected } tensiones que los clientes no indicaron. Para la reflexión, no para evaluar.
patterns-prediction-label = Su valoración prevista frente a la del cliente
patterns-prediction-gap = { $gap } de media (distancia típica { $abs })
patterns-prediction-gap-how = Su predicción menos la valoración del cliente por ítem (de 1 a 5), en { $count } sesiones: por encima de cero, usted esperaba más de lo que dio el cliente.
research-repair-heading = Qué se intentó tras las rupturas
research-repair-hint = Cada intento de reparación registrado por los terapeutas para clientes que consintieron la investigación, y si la alianza se recuperó dentro del plazo según los propios cuestionarios del cliente. Se excluyen los intentos cuyo resultado aún no se conoce. No es una comparación de estrategias: quién intenta qué, y cuándo, no es aleatorio.
research-repair-none = Aún no hay intentos de reparación con resultado conocido.
research-repair-strategy = Estrategia
research-repair-attempts = Intentos
research-repair-clients = Clientes
research-repair-came-back = La alianza se recuperó
research-repair-share = { $back } ({ $percent } %)
research-repair-suppressed = menos de { $min } clientes
research-practice-not-norm = Datos de esta consulta, no una norma.
research-dropout-heading = Aviso temprano de abandono
research-dropout-default-weights = El aviso usa los pesos por defecto del proyecto, ajustados con consultas generadas: no validados con datos clínicos reales.
research-dropout-practice-weights = El aviso usa pesos reajustados con los episodios terminados de esta consulta.
research-dropout-not-yet = Los pesos aún no se han reajustado: el modelo de la consulta se reajusta de forma programada.
research-dropout-too-few = Un reajuste necesita { $min_episodes } episodios terminados con al menos { $min_dropouts } abandonos, cada uno con el motivo de finalización registrado; esta consulta tiene { $episodes } con { $dropouts }.
research-dropout-refit-adopted = Reajustado con { $episodes } episodios terminados ({ $dropouts } abandonos). Área bajo la curva en ellos: { $default } con los pesos por defecto, { $refit } con los propios ({ $folds } particiones de validación cruzada por cliente). Los pesos propios ordenan a sus clientes al menos igual de bien, así que se usan.
research-dropout-refit-kept = Reajustado con { $episodes } episodios terminados ({ $dropouts } abandonos). Área bajo la curva en ellos: { $default } con los pesos por defecto, { $refit } con los propios ({ $folds } particiones de validación cruzada por cliente). El reajuste no ordena mejor a los clientes, así que se mantienen los pesos por defecto.
research-dropout-failed = El último reajuste no convergió; se mantienen los pesos por defecto.
research-dropout-threshold = Umbral del aviso (puntuación)
research-dropout-term = Término
research-dropout-default = Peso por defecto
research-dropout-in-use = Peso en uso
research-dropout-hint = Cada peso multiplica su término en la escala de log-odds; el aviso empieza en el umbral. Las cifras con consultas generadas están en las notas científicas del proyecto. Cómo terminó la atención se registra al cerrar un episodio.
research-repair-when = La tabla se elabora con el modelo de la consulta, que se reajusta de forma programada: los intentos registrados después aparecen en el siguiente reajuste.
## El informe de investigación de la consulta (issue 19)
report-heading = Informe de investigación de la consulta
report-scope = { $courses } procesos de atención de clientes que aceptaron el uso en investigación, { $therapists } terapeutas, { $sessions } sesiones. Cada proceso es un episodio de atención.
report-computed = Hecho con los datos del reajuste del modelo de la consulta de { $when }; se rehace tras el siguiente reajuste.
report-not-yet = El informe se hace tras el primer reajuste del modelo de la consulta.
report-making = Se está haciendo el informe de investigación de la consulta con los datos del último reajuste; vuelva a cargar esta página en un minuto.
report-newer-coming = Se está haciendo un informe con datos más recientes; vuelva a cargar esta página en un minuto.
report-unavailable = Aún no hay datos suficientes para esta parte.
report-figures = Las cifras
report-interval = { $low } a { $high }
report-value-ci = { $value } ({ $interval })
report-share = { $count } ({ $percent } %)
report-percent = { $percent } %
report-suppressed = menos de { $min }
report-lagged-heading = Alianza y resultado, dentro de cada cliente y entre clientes
report-lagged-hint = ¿Predice la alianza el PHQ-9 de la sesión siguiente? El modelo separa las sesiones en que la alianza de un cliente fue mejor de lo habitual para él (dentro) de los clientes cuya alianza es mejor en promedio (entre), ajustando por el PHQ-9 de esta sesión: un modelo mixto con un intercepto aleatorio por proceso, según Falkenström y colaboradores (2017). Los valores negativos indican puntuaciones más bajas, mejores, en la sesión siguiente.
report-lagged-plot = Las dos partes de la relación de la alianza con el PHQ-9 de la sesión siguiente, con intervalos del 95 %
report-lagged-axis = Cambio en el PHQ-9 de la sesión siguiente por punto de alianza
report-lagged-fit = { $rows } pares de sesiones de { $courses } procesos; DE entre procesos { $sd_client }, DE residual { $sigma }.
report-term = Término
report-estimate = Estimación
report-se = Error estándar
report-ci = Intervalo del 95 %
report-plot-within = Dentro del cliente
report-plot-between = Entre clientes
report-term-intercept = Intercepto
report-term-phq9 = PHQ-9 de esta sesión
report-term-within = Alianza dentro del cliente (por punto sobre su propia media)
report-term-between = Alianza entre clientes (por punto de su media sobre la de la consulta)
report-therapists-heading = Efectos del terapeuta
report-therapists-hint = Qué parte de la variación en la última puntuación del PHQ-9, ajustada por la primera, se da entre terapeutas: un modelo mixto con un intercepto aleatorio por terapeuta.
report-icc = Proporción de la varianza entre terapeutas (CCI): { $icc } (intervalo del 95 % de { $low } a { $high }).
report-caterpillar = El efecto de cada terapeuta ajustado por la gravedad, con su intervalo del 95 %, ordenado por efecto y sin nombres. Para la reflexión, no para clasificar: cada terapeuta ve solo el suyo.
report-caterpillar-axis = Último PHQ-9 comparado con la consulta, ajustado por el primero (más bajo es mejor)
report-therapist-suppressed = Se omiten { $count } terapeutas con menos de { $min } clientes.
report-rank = Posición
report-effect = Efecto
report-reliability-heading = Fiabilidad de las medidas
report-reliability-hint = Consistencia interna de cada medida de varios ítems en todas las aplicaciones completas: alfa de Cronbach con el intervalo del 95 % de Feldt, y omega total de un análisis factorial de un factor por máxima verosimilitud.
report-measure = Medida
report-items = Ítems
report-administrations = Aplicaciones
report-alpha = Alfa (intervalo del 95 %)
report-omega = Omega total
report-ruptures-heading = Rupturas y resultado
report-ruptures-hint = Mejora en el PHQ-9 de la primera a la última puntuación, en procesos sin ruptura, con todas las rupturas reparadas y con una ruptura no reparada dentro de su plazo, tal como las detecta el seguimiento de rupturas de Alliance en las respuestas del propio cliente. En conjunto de estudios, Eubanks, Muran y Safran (2018) hallaron que la reparación se relaciona con el resultado (r = .29). No es una comparación causal.
report-ruptures-plot = Mejora media según lo que pasó con la alianza, con intervalos del 95 %
report-ruptures-axis = Mejora en el PHQ-9 (puntos; más alto es mejor)
report-group = Proceso
report-group-none = Sin ruptura
report-group-repaired = Todas las rupturas reparadas
report-group-unrepaired = Una ruptura sin reparar
report-clients = Procesos
report-mean-improvement = Mejora media (puntos)
report-undecided = Se omiten { $count } procesos con una ruptura aún abierta.
report-outcomes-heading = Resultados en conjunto
report-outcomes-courses = Procesos con dos puntuaciones del PHQ-9
report-recovered = Recuperados
report-improved = Mejoría fiable (recuperados incluidos)
report-deteriorated = Empeoramiento fiable
report-mean-change = Mejora media (intervalo del 95 %)
report-effect-size = Tamaño del efecto pre-post (mejora media sobre la DE de las primeras puntuaciones)
report-completeness = Sesiones con comprobación de la relación
report-outcomes-hint = El cambio fiable y la recuperación usan los umbrales publicados del PHQ-9: un cambio de 6 puntos y un punto de corte de 10.

# Tokens de acceso personales para la API JSON (issue 19).
account-tokens = Tokens de acceso a la API
account-tokens-note = Un token permite que un programa use la API JSON de Alliance en su nombre, exactamente con su acceso. Se muestra una sola vez: guárdelo como una contraseña y revóquelo cuando ya no haga falta.
account-tokens-none = No tiene tokens de acceso.
account-token-made = Su nuevo token, que solo se muestra ahora: cópielo en el programa que lo usará.
account-token-name = Nombre
account-token-scope = Acceso
account-token-read = Solo lectura
account-token-read-write = Lectura y escritura
account-token-expires = Caduca
account-token-never = Nunca
account-token-revoke = Revocar
account-token-revoked = Revocado
account-token-expired = Caducado
account-token-days = Días hasta que caduque (de 1 a 365)
account-token-code = Código de su aplicación de autenticación
account-token-create = Crear un token
account-token-name-invalid = Dé al token un nombre de 1 a 60 caracteres.
account-token-scope-invalid = Elija solo lectura, o lectura y escritura.
account-token-unknown = Elija un token de la lista.
account-token-days-invalid = Un token dura de 1 a 365 días.

## The boundary log (issue 20, item 1)
nav-boundaries = Límites
boundary-log-link = Registro de límites
boundary-record-link = Registrar un evento de límites desde esta sesión
boundary-title = Registro de límites
boundary-heading = Registro de límites: { $name }
boundary-back = Volver al cliente
boundary-hint = Un cruce no es una violación, y muchos son inofensivos o útiles. Anotarlos permite a usted y a su supervisor ver un patrón a tiempo. Los recuentos invitan a reflexionar; no son una puntuación.
boundary-hidden = El registro de límites es el registro propio del terapeuta sobre su trabajo y el acceso de emergencia no lo abre.
boundary-from-session = Desde la sesión { $number }
boundary-kind = Qué ocurrió
boundary-kind-overrun = Sesión alargada
boundary-kind-contact = Contacto fuera de las sesiones
boundary-kind-gift = Regalo
boundary-kind-self-disclosure = Autorrevelación
boundary-kind-dual-relationship = Relación dual o múltiple
boundary-kind-physical-contact = Contacto físico
boundary-kind-fee-schedule = Excepción de honorarios u horario
boundary-kind-other = Otro
boundary-date = Día en que ocurrió
boundary-details = Detalles (solo se guardan los de lo ocurrido)
boundary-overrun-minutes = Alargamiento, en minutos
boundary-channel = Contacto por
boundary-channel-phone = Llamada
boundary-channel-text = Mensaje de texto
boundary-channel-email = Correo electrónico
boundary-channel-social-media = Redes sociales
boundary-channel-in-person = En persona
boundary-channel-other = Otra vía
boundary-initiated = Iniciado por
boundary-by-client = iniciado por el cliente
boundary-by-therapist = iniciado por usted
boundary-gift = Regalo
boundary-gift-given = dado al cliente
boundary-gift-received = recibido del cliente
boundary-note = Nota (solo usted y, si la lleva a supervisión, su supervisor la ven)
boundary-take-to-supervision = Llevarlo a supervisión
boundary-record = Registrar
boundary-minutes = { $minutes ->
    [one] { $minutes } minuto de más
   *[other] { $minutes } minutos de más
}
boundary-count-minutes = { $count } ({ $minutes } min)
boundary-over-time = Último año, por trimestre (el más antiguo primero)
boundary-quarters = Por trimestre
boundary-reflect = Para reflexionar
boundary-prompt-growing = Más últimamente que antes: ¿vale la pena hablarlo?
boundary-prompt-recurring = Varios este año: ¿un patrón para mirar juntos?
boundary-events = Eventos registrados
boundary-shared-events = Eventos llevados a supervisión
boundary-none = Nada registrado.
boundary-shared = para supervisión
boundary-supervision-title = Límites en supervisión
boundary-supervision-hint = Lo que sus supervisados llevaron a supervisión y cómo se acumula con el tiempo: invitaciones a conversar, nunca una calificación. Las notas están en el registro de cada cliente.
boundary-per-therapist = Por terapeuta y tipo
boundary-per-client = Clientes con cruces que se repiten o aumentan
boundary-page-total = Página { $page } · { $total } eventos.
boundary-error-kind = Elija qué ocurrió de la lista.
boundary-error-minutes = Indique el alargamiento en minutos enteros, de 1 a 600.
boundary-error-channel = Elija cómo ocurrió el contacto.
boundary-error-initiator = Elija quién inició el contacto.
boundary-error-gift = Elija si el regalo fue dado o recibido.
boundary-error-session = Esa sesión no es de este cliente.
boundary-error-supervision = La opción de supervisión no es una de las del formulario.

