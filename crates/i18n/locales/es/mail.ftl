# Correos y mensajes de texto. Los de un cliente no dicen nada clínico ni nombran a nadie; los del personal no llevan detalles clínicos.

mail-risk-subject = Alliance: un cliente le necesita
mail-risk-body =
    Es posible que uno de sus clientes le necesite pronto: algo en su último cuestionario requiere hoy la atención de su terapeuta.

    Inicie sesión para ver quién es y qué hacer:
    { $link }

    Este mensaje no dice nada más a propósito: el correo electrónico no es el lugar para detalles clínicos.
mail-password-changed-subject = Alliance: se ha cambiado su contraseña
mail-password-changed-body =
    Se acaba de cambiar la contraseña de su cuenta de Alliance y se han cerrado sus demás sesiones.

    Si no fue usted, avise de inmediato al administrador de su centro.

    Su cuenta: { $link }
mail-password-reset-subject = Alliance: establezca una contraseña nueva
mail-password-reset-body =
    El administrador de su centro ha creado un enlace para que establezca una contraseña nueva. Funciona una sola vez, durante 24 horas:
    { $link }

    Si no lo pidió, avise a su administrador.
mail-check-subject = Su cuestionario después de la sesión de hoy
mail-check-body =
    El centro de su terapeuta le hace unas pocas preguntas breves sobre la sesión de hoy. Lleva unos minutos, y sus respuestas solo llegan a su terapeuta:
    { $link }

    El enlace funciona una sola vez y solo durante unos días. No reenvíe este mensaje, por favor.
mail-reminder-subject = Un recordatorio: su cuestionario después de su última sesión
mail-reminder-body =
    Todavía no ha respondido al breve cuestionario después de su última sesión. Si lo desea, lleva unos minutos:
    { $link }

    El enlace funciona una sola vez y solo durante unos días. Si no quiere responder, puede ignorar este mensaje; no recibirá otro recordatorio.
sms-check = Su cuestionario después de la sesión de hoy (unos minutos, funciona una vez): { $link }
sms-reminder = Un recordatorio: su cuestionario después de su última sesión, si desea responderlo: { $link }
