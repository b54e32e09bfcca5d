# Lo que lee un cliente: el cuestionario tras la sesión, su propia página, la tableta de la sala de espera, dejar de recibir preguntas y volver a recibirlas.

## El cuestionario
check-title = Su cuestionario
check-heading = Después de su sesión
check-minutes = { $minutes ->
    [one] aproximadamente { $minutes } minuto
   *[other] aproximadamente { $minutes } minutos
}
check-lead = { $questions ->
    [one] { $questions } pregunta breve, { $duration }. Sus respuestas llegan a su terapeuta (y, si lo tiene, a su supervisor clínico), para ayudarles a trabajar bien juntos.
   *[other] { $questions } preguntas breves, { $duration }. Sus respuestas llegan a su terapeuta (y, si lo tiene, a su supervisor clínico), para ayudarles a trabajar bien juntos.
}
check-errors = Faltan algunas respuestas o no son válidas. Revise las preguntas marcadas.
check-first-error = Ir a la primera pregunta marcada
check-send = Enviar mis respuestas
check-fine-print = Sin cuenta, sin seguimiento. Este enlace funciona una sola vez y caduca el { $expires }.
check-own-page = Su página: sus objetivos y cómo van las cosas
check-back = Atrás
check-next = Siguiente
check-part-label = Parte { $part } de { $parts }: { $title }
check-stop = No quiero que me pregunten más
check-part = parte { $part } de { $parts }
check-not-validated = Este breve cuestionario lo redactó el proyecto Alliance y todavía no se ha validado en investigación.
check-translation-not-validated = Esta traducción la hizo el proyecto Alliance y no se ha validado.
check-in-english = Este cuestionario se muestra en inglés: aquí no hay una traducción verificada a su idioma, y la redacción de un cuestionario no debe cambiarse.
check-why = Por qué preguntamos
check-optional = (opcional)
check-answer-required = Responda a esta pregunta, por favor.
check-choose-one = Elija una de las respuestas, por favor.
check-choose-goal = Elija un número del 0 al 10, por favor.
check-shorter = Escríbalo de forma más breve, por favor.

## Objetivos y tareas en el cuestionario
check-tasks-title = Lo que acordaron intentar
check-tasks-instructions = ¿Hizo lo que acordó con su terapeuta la última vez?
check-tasks-why = Intentar cosas entre sesiones forma parte del trabajo que hacen juntos. Sea cual sea la respuesta, ayuda a su terapeuta a planificar con usted los siguientes pasos.
check-task-obstacle = ¿Qué se lo impidió, si hubo algo?
task-done-yes = Sí
task-done-partly = En parte
task-done-no = No
check-goals-title = Sus objetivos
check-goals-instructions = ¿Qué tan cerca está de cada objetivo que acordó con su terapeuta? 0 significa nada, 10 significa que lo ha alcanzado.
check-goals-why = Sus objetivos están en sus propias palabras. Sus puntuaciones les muestran a ambos cómo van las cosas.

## Lo que se le dice al cliente sobre sus respuestas
consent-summary = Sobre sus respuestas
consent-summary-due = Sobre sus respuestas: léalo primero, por favor
consent-what-title = Qué preguntamos y por qué.
consent-what = Después de cada sesión, unas pocas preguntas breves: cómo se siente, cómo fue la sesión para usted y cómo avanza con los objetivos acordados. Sus respuestas les ayudan a usted y a su terapeuta a ver qué funciona y qué cambiar.
consent-who-title = Quién las ve.
consent-who = Su terapeuta. Si hubiera que atender algo urgente sobre usted y no se pudiera localizar a su terapeuta, un administrador del centro puede abrir su expediente; eso queda registrado y se informa a su terapeuta. Nadie más, salvo que usted lo acepte más abajo.
consent-who-supervised = Su terapeuta y su supervisor clínico, que le ayuda en su trabajo. Si hubiera que atender algo urgente sobre usted y no se pudiera localizar a su terapeuta, un administrador del centro puede abrir su expediente; eso queda registrado y se informa a su terapeuta. Nadie más, salvo que usted lo acepte más abajo.
consent-keep-title = Cuánto tiempo se guardan.
consent-stop-title = Cómo dejarlo.
consent-stop = Puede dejar de recibir preguntas en cualquier momento con el botón al final de esta página, y volver a empezar más adelante. Dejarlo no cambia nada en su terapia.
consent-research = ¿Podemos usar sus respuestas para investigación, sin su nombre ni nada que le identifique?
consent-research-yes = Sí, pueden usarse
consent-research-no = No
retention-years = { $years ->
    [one] Hasta un año después de que termine su terapia; después se eliminan.
   *[other] Hasta { $years } años después de que termine su terapia; después se eliminan.
}
retention-practice = Mientras el centro conserve su expediente; puede pedir a su terapeuta que lo elimine en cualquier momento.

## Después del cuestionario
thanks-title = Gracias
thanks-sent = Sus respuestas se han enviado a su terapeuta.
thanks-bring-up = Si algo no le pareció bien en la sesión, puede comentarlo la próxima vez: suele ayudar.
thanks-own-page = Ver sus objetivos y su progreso

## Enlaces que no funcionan
link-invalid-title = Este enlace no funciona
link-invalid = Compruebe que se copió el enlace completo, o pida uno nuevo a su terapeuta.
link-used-title = Ya respondido
link-used = Ya hemos recibido sus respuestas de esta sesión. Gracias.
link-used-with-crisis = Este enlace ya se ha usado. Si envió estas respuestas hace un momento, han llegado. Si no, cuéntele a su terapeuta cómo está.
link-expired-title = Este enlace ha caducado
link-expired = Los enlaces solo funcionan unos días, para mantener la privacidad de sus respuestas.
link-expired-new = No pasa nada: su terapeuta puede darle uno nuevo la próxima vez.
link-expired-with-crisis = Estas respuestas no se pudieron enviar con este enlace. Cuéntele a su terapeuta cómo está.
check-retry-title = Inténtelo de nuevo en un minuto
check-failed-title = Algo salió mal
check-retry = Sus respuestas no se pudieron enviar ahora. Envíelas de nuevo dentro de un minuto.
own-link-invalid = Puede que se haya desactivado o sustituido por uno más reciente. Pida a su terapeuta su enlace actual.

## Dejar de recibir preguntas y volver a recibirlas
asking-stopped-title = No se le volverá a preguntar
asking-stopped = No se le enviará ningún cuestionario nuevo. Su terapeuta verá que lo pidió y quizá quiera hablarlo con usted; su terapia continúa como antes.
asking-changed-mind = ¿Ha cambiado de opinión?
asking-resume = Volver a recibir preguntas
asking-resumed-title = Se le volverá a preguntar
asking-resumed = Su terapeuta puede volver a enviarle el breve cuestionario después de sus sesiones.
asking-own-page = Su página

## La tableta de la sala de espera
kiosk-title = Su cuestionario
kiosk-heading = Su cuestionario después de la sesión
kiosk-lead = Escriba el código que le dio su terapeuta.
kiosk-code = Código
kiosk-open = Abrir mi cuestionario
kiosk-fine-print = Esta tableta no guarda nada: cuando termine, se borra sola.
kiosk-bad-code = Este código no funciona. Compruébelo con su terapeuta: un código funciona una sola vez, durante 15 minutos.
kiosk-not-set-up-title = Esta tableta no está configurada
kiosk-not-set-up = Pregunte en recepción, por favor.
kiosk-done = Sus respuestas se han enviado a su terapeuta. Devuelva la tableta, por favor. Pulse Listo, o volverá sola al inicio en medio minuto.
kiosk-done-button = Listo

## La página propia del cliente
own-title = Su página
own-lead = Sus objetivos, sus puntuaciones y cómo van las cosas, para que usted y su terapeuta los vean juntos.
own-print = Versión para imprimir
own-print-why = : para llevarla a una sesión.
own-goals = Sus objetivos
own-no-goals = Todavía no hay objetivos acordados. Pueden elegirlos juntos usted y su terapeuta.
own-proposed = Pendientes de hablar con su terapeuta:
own-propose-label = Un objetivo en el que le gustaría trabajar, en sus propias palabras
own-propose = Proponer este objetivo
own-propose-next = Su terapeuta lo hablará con usted en su próxima sesión.
own-doing = Cómo le va
own-no-answers = Sus respuestas aparecerán aquí después de su primer cuestionario.
own-reliable = Un cambio "fiable" es mayor que los altibajos que un cuestionario muestra por azar.
own-sessions = Cómo fueron las sesiones para usted
own-tasks = Lo que acordaron intentar
own-no-tasks = Todavía no hay nada acordado.
own-about = Sobre sus respuestas
own-who = Su terapeuta ve sus respuestas; si tiene un supervisor clínico, también las ve el supervisor. Si hubiera que atender algo urgente sobre usted y no se pudiera localizar a su terapeuta, un administrador del centro puede abrir su expediente; eso queda registrado y se informa a su terapeuta.
own-research = Uso de sus respuestas para investigación, sin su nombre:
own-research-agreed = lo aceptó
own-research-not-agreed = no lo aceptó
own-research-withdraw = Retirar mi consentimiento
own-research-agree = Acepto el uso para investigación
own-download = Descargar sus respuestas
own-download-what = (un archivo para guardar).
own-stopped = Pidió que no se le preguntara después de sus sesiones.
own-private = Esta página es suya. Cualquiera con este enlace puede verla, así que guárdelo para usted. Su terapeuta puede desactivar el enlace o darle uno nuevo.
own-goal-latest = Su última puntuación: { $latest } de 10 ({ $first } al principio)
own-goal-only = Su puntuación: { $latest } de 10
own-goal-unrated = Sin puntuar todavía: se le preguntará después de su próxima sesión.
own-goal-achieved = alcanzado
own-outcome-change = Su { $measure } pasó de { $first } a { $latest }: { $change }.
own-outcome-first = Su primera puntuación de { $measure } es { $latest }.
change-reliable-improvement = una mejoría fiable
change-reliable-deterioration = un empeoramiento fiable: hable de ello con su terapeuta, por favor
change-recovered = una mejoría fiable, por debajo del nivel que suele indicar un problema clínico
change-unchanged = todavía no es un cambio fiable
own-alliance = Cómo fueron las sesiones para usted: { $first } en su primer cuestionario, { $latest } en el último (de { $min } a { $max }; más alto es mejor).
own-chart-alliance-title = Cómo fueron las sesiones para usted
own-chart-rating = Su puntuación
own-chart-you = Usted
own-proposal-ended = Su terapia ha terminado, así que no se pueden añadir objetivos nuevos.
own-proposal-full = Ya tiene tres objetivos: hable con su terapeuta sobre cuál cambiar.
own-proposal-invalid = Su objetivo: { $problem }.
own-research-choose = Elija sí o no.
task-report-pending = para contárselo a su terapeuta en su próximo cuestionario
task-report-yes = lo hizo
task-report-partly = lo hizo en parte
task-report-no = esta vez no se pudo

## Gráficos
chart-data-table = Tabla de datos
chart-session = Sesión
## Origen (issue 20)
background-title = Sobre usted, si lo desea
background-lead = A algunas personas les ayuda en su terapia que se comprenda su origen. Cada pregunta es opcional: responda con sus propias palabras, solo lo que quiera compartir. Su terapeuta (y su supervisor clínico, si lo tiene) ve sus respuestas; puede cambiarlas o quitarlas aquí en cualquier momento.
background-category-language = Idioma
background-category-identity = Identidad cultural o étnica
background-category-faith = Fe o creencias
background-category-gender = Género
background-category-age-band = Grupo de edad
background-words = Con sus propias palabras
background-matters = ¿Importa esto en su terapia?
background-shared = ¿Siente que su terapeuta lo comparte?
background-answer-yes = Sí
background-answer-no = No
background-answer-unsure = No estoy seguro/a
background-consent = Acepto que esta respuesta se guarde en mi expediente.
background-save = Guardar
background-remove = Quitar mi respuesta sobre { $category }
background-consent-needed = Su respuesta no se guardó: marque la casilla para aceptar que se guarde en su expediente.
background-choose = Elija sí, no o no estoy seguro/a.
background-unknown-category = Esta pregunta no se hace aquí.
