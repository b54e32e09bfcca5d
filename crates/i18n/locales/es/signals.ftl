# Señales: lo que ve el terapeuta, cada una explicada con palabras sencillas y con acciones sugeridas. Las acciones
# son redacción propia del proyecto y no son orientaciones validadas.

## Explicaciones
signal-then = { $first } { $second }
signal-for-measure = { $measure }: { $explanation }
signal-risk = En la sesión { $session } el cliente dijo que había tenido pensamientos de que estaría mejor muerto o de hacerse daño { $how } (ítem 9 del PHQ-9 = { $item9 }).
item9-1 = varios días
item9-2 = más de la mitad de los días
item9-3 = casi todos los días
signal-discrepancy = En la sesión { $session } el terapeuta puntuó la alianza con { $therapist } y el cliente con { $client }: la puntuación del cliente es { $gap } puntos más baja que la del terapeuta (el centro señala diferencias de { $threshold } o más).
signal-discrepancy-culture = En la sesión { $session } la reflexión del terapeuta puntuó con { $therapist } que el cliente se siente comprendido y respetado en su origen y sus valores, y el cliente lo puntuó con { $client } (1-5): { $gap } puntos menos de lo que pensaba el terapeuta (el centro señala diferencias de { $threshold } o más). El ítem es redacción propia de Alliance, no validada.
signal-missed-sessions = { $missed ->
    [one] El cliente faltó a la última sesión.
   *[other] El cliente faltó a las últimas { $missed } sesiones seguidas.
}
signal-missed-checks = No se completó ningún cuestionario de relación (el cuestionario del cliente tras la sesión) en las últimas { $missed } sesiones seguidas ({ $sessions } de ellas con ausencia).
signal-rupture = Posible ruptura en la sesión { $onset }: { $how }. { $status }
signal-rupture-of-kind = Posible ruptura en la sesión { $onset } ({ $kind }): { $how }. { $status }
rupture-kind-withdrawal = el cliente se retrajo
rupture-kind-confrontation = el cliente se opuso
rupture-status-not-known = No se sabe si se reparó: no se ha leído ningún cuestionario de relación desde la sesión { $last }.
rupture-status-open = Todavía no se ha reparado.
rupture-status-unrepaired = No se había reparado en la sesión { $session }.
rupture-status-score-returned = La puntuación de alianza había vuelto a su nivel anterior en la sesión { $session }.
rupture-status-score-at-cutoff = La puntuación de alianza había vuelto al punto de corte en la sesión { $session }.
rupture-status-talked-through = El cliente dijo que se había hablado en la sesión { $session }.
rupture-status-therapist-repaired = El terapeuta dijo que se había abordado y reparado en la sesión { $session }.
rupture-first-check = Ocurrió en el primer cuestionario del cliente: no hay una puntuación anterior con la que comparar.
rupture-rules-and = { $first }; { $rest }
rupture-accounts-and = { $first }, { $rest }
rupture-rule-dip-from = la puntuación de alianza bajó de aproximadamente { $from } a { $to }, más que los altibajos habituales de este cliente
rupture-rule-dip = la puntuación de alianza bajó más que los altibajos habituales de este cliente
rupture-rule-sudden-loss = una caída repentina y duradera de la puntuación de alianza
rupture-rule-below-cutoff = la puntuación de alianza estaba por debajo del punto de corte del instrumento
rupture-rule-reported = se informó de una ruptura después de la sesión
rupture-account-client = el cliente informó de una ruptura después de la sesión { $session }
rupture-account-client-talked = el cliente informó de una ruptura después de la sesión { $session } y dijo que se había hablado
rupture-account-therapist = el terapeuta informó de una ruptura después de la sesión { $session }
rupture-account-therapist-repaired = el terapeuta informó de una ruptura después de la sesión { $session } y dijo que se había reparado
signal-change = De { $pre } a { $post } en la sesión { $session }: el cliente { $words }.
signal-change-recovered = mejoró de forma fiable y pasó al rango no clínico
signal-change-improved = mejoró más de lo que explica el error de medida
signal-change-deteriorated = empeoró más de lo que explica el error de medida
signal-change-harmed = empeoró de forma fiable y pasó del rango no clínico al clínico
signal-not-on-track = En la sesión { $session } la puntuación fue { $observed }; en clientes que empezaron como este se esperaba un valor cercano a { $expected }, y { $boundary } es el límite del rango habitual.
signal-not-on-track-in-a-row = Ya son { $k } puntuaciones seguidas más allá de ese límite.
signal-not-on-track-default = En la sesión { $session } el PHQ-9 fue { $latest }, frente a { $intake } en la primera puntuación: no es la bajada de { $fall } puntos que cuenta como mejoría fiable. El centro aún no tiene un curso esperado propio, así que Alliance usa una regla sencilla: sin mejoría fiable en la sesión { $by } (un valor por defecto del proyecto), el caso no va por buen camino.
signal-low-alliance = En la sesión { $session } el cliente puntuó la alianza con { $score }, por debajo del umbral de preocupación de { $cutoff }. El umbral es provisional: ningún estudio ha fijado un punto de corte para este cuestionario.
low-alliance-since-one = En la sesión { $start } el cliente puntuó la alianza con { $latest }
low-alliance-since-many = Desde la sesión { $start } las puntuaciones de alianza del cliente han estado en el umbral de preocupación o cerca de él (mínima { $lowest }, última { $latest } en la sesión { $latestSession })
signal-low-alliance-episode = { $since }, por debajo del umbral de preocupación de { $cutoff }. El umbral es provisional: ningún estudio ha fijado un punto de corte para este cuestionario. Una sola señal cubre este periodo hasta que { $clear } puntuaciones seguidas estén en el umbral o por encima.
signal-after-risk = El cliente respondió al ítem 9 del PHQ-9 por encima de 0 en la sesión { $session } y no lo ha vuelto a responder desde entonces.
signal-stopped-asking = El cliente pidió que no se le enviaran cuestionarios después de sus sesiones. No se puede crear ningún enlace de cuestionario hasta que vuelva a empezar, desde su propia página o con un enlace que aún tenga.

## Acciones sugeridas
action-withdrawal-name = Nombre con delicadeza lo que notó (respuestas más cortas, cambios de tema, un acuerdo demasiado rápido) y pregunte qué le estaba pasando al cliente.
action-withdrawal-invite = Invite al cliente a decir lo que piensa y siente sobre usted o sobre la terapia, y haga que sea seguro decir algo crítico.
action-withdrawal-misunderstood = Compruebe si algo que dijo o propuso se malinterpretó, y aclárelo.
action-withdrawal-pattern = Si al cliente le resulta útil, vean juntos si retraerse así le ocurre también en otras relaciones.
action-confrontation-own-part = Reconozca su propia parte en lo que salió mal, si la ve, sin defenderse.
action-confrontation-objection = Tome en serio la objeción del cliente y dígale que tiene sentido desde su punto de vista.
action-confrontation-task = Acuerden juntos otra tarea u otro objetivo, o explique una sola vez por qué propuso la tarea; no insista en la justificación mientras la relación esté tensa (insistir se ha asociado con peores resultados).
action-confrontation-more = Invite al cliente a contar más sobre lo que no le está funcionando.
action-rupture-ask = Pregunte al cliente cómo vivió la última sesión, y esté atento a si se retrae o se opone.
action-rupture-invite = Invite al cliente a decir lo que piensa y siente sobre usted o sobre la terapia.
action-rupture-own-part = Si algo salió mal, reconozca su propia parte si la ve, y acuerden juntos cómo seguir.
action-unrepaired-supervision = Considere llevar esta ruptura a supervisión.
action-off-track-alliance = Revise la alianza: pregunte cómo vive el cliente el trabajo con usted.
action-off-track-motivation = Revise la motivación: ¿qué quiere ahora el cliente de la terapia?
action-off-track-support = Revise el apoyo social: ¿quién ayuda al cliente, y ha cambiado eso?
action-off-track-goals = Revise los objetivos: ¿siguen trabajando en lo que le importa al cliente?
action-off-track-life-events = Revise los acontecimientos vitales desde las últimas sesiones (pérdidas, conflictos, trabajo, salud, medicación).
action-off-track-formulation = Revisen juntos la formulación: ¿sigue explicando qué mantiene las dificultades?
action-off-track-referral = Considere una revisión de la medicación o una derivación (el médico del cliente, un psiquiatra, un servicio más intensivo).
action-off-track-chart = Enseñe al cliente el gráfico de sus puntuaciones y hablen de él juntos.
action-off-track-risk = Vuelva a evaluar el riesgo: pregunte directamente por pensamientos de muerte o de hacerse daño, sea cual sea la respuesta anterior al ítem 9.
action-discrepancy-feedback = Pida al cliente su opinión sobre las últimas sesiones; puede que vea el trabajo de otra manera que usted.
action-discrepancy-look-back = Repase la sesión buscando señales de retraimiento u oposición.
action-discrepancy-supervision = Considere hablar de la diferencia en supervisión.
action-low-alliance-provisional = Tome el umbral como provisional: mire las puntuaciones del propio cliente a lo largo del tiempo, no solo la línea.
action-low-alliance-ask = Pregunte al cliente cómo vive el trabajo conjunto y qué lo haría más útil.
action-low-alliance-goals = Compruebe que siguen de acuerdo en los objetivos y en cómo trabajan para alcanzarlos.
action-low-alliance-supervision = Considere llevar el caso a supervisión.
action-disengagement-contact = Contacte con el cliente para preguntarle cómo está y si las citas aún le vienen bien.
action-disengagement-schedule = Pregunte si los cuestionarios le resultan útiles o una carga, y ajuste la frecuencia.
action-stopped-talk = Hable de ello con el cliente en la próxima sesión: qué hizo que las preguntas no fueran bienvenidas, y si le vendrían mejor menos (el calendario del episodio) o ninguna durante un tiempo.
action-stopped-respect = Respete la decisión: la terapia sigue como antes, y el cliente puede volver a recibir preguntas cuando quiera.
action-after-risk-contact = Contacte hoy con el cliente: dijo que tenía pensamientos de muerte o de hacerse daño en una sesión reciente y no se ha sabido de él desde entonces.
action-after-risk-recheck = Vuelva a evaluar el riesgo cuando lo localice (pensamientos de muerte o de hacerse daño, planes y medios), y siga el protocolo de riesgo del centro si no consigue localizarlo.
action-risk-protocol = Siga ahora el protocolo de riesgo del centro.
action-risk-ask = Pregunte directamente al cliente por pensamientos de muerte o de hacerse daño, planes y medios.

## De dónde viene el curso esperado
etr-practice-recent = Curso esperado ajustado con los datos de PHQ-9 de este centro: los { $clients } más recientes de { $eligible } clientes con tres o más puntuaciones ({ $observations } puntuaciones de resultado después de la evaluación inicial).
etr-practice = Curso esperado ajustado con los datos de PHQ-9 de este centro ({ $clients } clientes, { $observations } puntuaciones de resultado después de la evaluación inicial).
etr-default-rule = Todavía no hay curso esperado. Se aplica la regla por defecto: no va por buen camino cuando el PHQ-9 no ha bajado { $fall } puntos (mejoría fiable, NHS Talking Therapies) en la sesión { $session } (un valor por defecto del proyecto, no una norma clínica), porque { $reason }.
etr-reason-not-converged = el ajuste con los datos del centro no convergió
etr-reason-singular = el ajuste con los datos del centro es singular (DE del intercepto { $intercept }, DE de la pendiente { $slope }, correlación { $correlation }): aún no se puede confiar en sus bandas
etr-reason-not-fitted = no se pudieron ajustar los datos del centro ({ $error })
etr-reason-too-few = el centro tiene { $eligible } clientes con tres o más puntuaciones de PHQ-9 y necesita { $needed }
etr-fit-usable = Ajuste: { $clients } clientes, { $scores } puntuaciones de resultado, no singular; correlación intercepto-pendiente { $correlation }, DE residual { $residual } puntos.
etr-fit-unusable = Ajuste: { $clients } clientes, { $scores } puntuaciones de resultado, singular o sin convergencia; correlación intercepto-pendiente { $correlation }, DE residual { $residual } puntos.
etr-number = { $value }
etr-none = ninguna
etr-built = Creado el { $at } UTC.

## Dropout warning (issue 18)
signal-dropout-risk = Aviso temprano de abandono: una puntuación del { $percent } % (el aviso empieza en el { $threshold } %), sobre todo por { $main }. La puntuación es un valor por defecto del proyecto ajustado con consultas generadas, no validado con datos clínicos reales.
dropout-feature-alliance-trend = una alianza que baja
dropout-feature-alliance-shortfall = una alianza más débil de lo habitual en esta consulta
dropout-feature-open-ruptures = rupturas aún no reparadas
dropout-feature-missed-checks = cuestionarios sin responder
dropout-feature-missed-sessions = sesiones perdidas
dropout-feature-none = ninguna señal en particular
action-dropout-ask = Pregunte a la persona cómo le está yendo la terapia y si sigue respondiendo a lo que vino a buscar.
action-dropout-missed = Hable de las sesiones o los cuestionarios perdidos con franqueza y sin culpas, y acuerden qué haría más fácil venir.
action-dropout-alliance = Revise la alianza con la persona (objetivos, tareas y la relación) y considere llevarlo a supervisión.
client-signal-dropout-risk = Aviso de abandono
caseload-badge-dropout-risk = Puede abandonar
signal-dropout-risk-refit = Aviso temprano de abandono: una puntuación del { $percent } % (el aviso empieza en el { $threshold } %), sobre todo por { $main }. Los pesos se reajustaron con los episodios terminados de esta consulta; la puntuación sigue sin estar validada como herramienta clínica.
