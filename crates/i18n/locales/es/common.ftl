# Palabras comunes a todas las páginas: el nombre del producto, las fechas, el selector de idioma, las páginas de error.

app-name = Alliance

month-1 = ene
month-2 = feb
month-3 = mar
month-4 = abr
month-5 = may
month-6 = jun
month-7 = jul
month-8 = ago
month-9 = sept
month-10 = oct
month-11 = nov
month-12 = dic
# Un día del calendario: "4 dic 2026".
date-day-month-year = { $day } { $month } { $year }
# Un momento: "4 dic 2026, 10:30 CET".
date-time = { $date }, { $time } { $zone }

language-switch = Idioma

error-back = Volver al inicio
error-not-found-title = No encontrado
error-not-found = No hay nada en esta dirección.
error-forbidden-title = No permitido
error-forbidden = Su cuenta no da acceso a esta página.
error-bad-request-title = Revise el formulario
error-too-large-title = Demasiados datos
error-too-large = El formulario envió más datos de los que Alliance acepta.
error-upload-unreadable = No se pudo leer el formulario: sus partes estaban mal formadas o cortadas. No se guardó nada; envíalo de nuevo.
error-too-slow-title = El formulario tardó demasiado
error-too-slow = El formulario no llegó a tiempo. Envíelo de nuevo, por favor.
error-cross-site-title = Solicitud rechazada
error-cross-site = Este formulario se envió desde otro sitio o desde una página caducada. Vuelva atrás, recargue la página e inténtelo de nuevo.
error-unavailable-title = Inténtelo de nuevo en un minuto
error-unavailable = Alliance no puede acceder a su base de datos en este momento. No se guardó nada: vuelva atrás y envíe el formulario de nuevo dentro de un minuto.
error-password-rejected-title = Su contraseña no fue aceptada
error-password-rejected = Su contraseña no fue aceptada (o, si usa una aplicación de autenticación, su código faltaba, era incorrecto o ya se había usado). No se cambió nada. Vuelva atrás e introduzca su contraseña y un código nuevo.
error-throttled-title = Espere, por favor
error-throttled = { $seconds ->
    [one] Hubo demasiados intentos. Espere { $seconds } segundo y vuelva a intentarlo.
   *[other] Hubo demasiados intentos. Espere { $seconds } segundos y vuelva a intentarlo.
}
error-internal-title = Algo salió mal
error-internal = No se cambió nada. Inténtelo de nuevo dentro de un momento.
error-not-possible = No es posible: { $why }.
error-unknown-field = El formulario contenía un campo que no le corresponde.
error-signal-not-current = Esa señal ya no está vigente. Recargue la página.
error-risk-needs-action = Una señal de riesgo se confirma con lo que se hizo: elija la acción, cuándo se realizó y, si no hizo falta ninguna, por qué.
language-unknown = Este idioma no está disponible.

# El terapeuta pide un código para la tableta.
kiosk-client-stopped = El cliente pidió que no se le enviaran más cuestionarios.
kiosk-nothing-due = No hay nada pendiente para el cuestionario de esta sesión.

# Bandas de puntuación de las medidas de resultado (Kroenke et al. 2001; Spitzer et al. 2006).
band-minimal = mínima
band-mild = leve
band-moderate = moderada
band-moderately-severe = moderadamente grave
band-severe = grave

# Elegir un idioma que se guarda: el del propio usuario del personal y el de un cliente.
language-settings-title = Idioma
language-settings-yours = Su idioma
language-settings-device = Según el dispositivo
language-settings-save = Guardar idioma
language-settings-client-title = El idioma del cliente
language-settings-client = El idioma de los cuestionarios, la página y los mensajes del cliente
language-settings-client-hint = El cliente también puede cambiarlo: un cuestionario respondido en otro idioma pasa a ser su idioma.

# Por qué se rechazó un valor.
parse-empty = { $field }: es obligatorio
parse-too-long = { $field }: tiene más de { $max } caracteres
parse-bad-characters = { $field }: contiene caracteres no permitidos
parse-invalid = { $field }: no es válido: { $why }
field-pseudonym = seudónimo
field-name = nombre
field-email = correo electrónico
field-password = contraseña
field-role = función
field-rating = puntuación
field-goal = objetivo
field-task = tarea
field-obstacle = lo que se lo impidió
field-note = nota
field-schedule = calendario
field-crisis-text = el texto de crisis
field-contact-name = el nombre de un contacto
field-contact = un contacto
field-contact-link = el enlace de un contacto
field-contacts = los contactos
why-needs-at = necesita una @
why-not-an-address = no parece una dirección
why-password-length = necesita al menos 12 caracteres
why-unknown-role = función desconocida
why-zero-to-ten = debe ser un número entero del 0 al 10
why-not-a-choice = no es una de las opciones
why-cadence = use every, every:N (de 2 a 8) o first-last
why-measure-form = escriba cada medida como id=frecuencia
why-measure-twice = una medida aparece dos veces
why-contacts-count = como máximo 8, uno por línea
why-contact-form = escríbalo así: nombre | número o enlace
why-contact-target = indique un número de teléfono (dígitos, espacios, + - ( ) .) o un enlace https://
why-https = debe ser una dirección https:// sencilla
comment-empty = Escriba un comentario antes de enviarlo.
comment-too-long = El texto puede tener como máximo { $max } caracteres; este tiene { $chars }. Acórtelo, por favor.
comment-bad-characters = El texto contiene caracteres que no se pueden guardar. Vuelva a escribirlo, por favor.

# Por qué se rechaza una contraseña nueva.
password-repeats = repite muy pocos caracteres distintos; unas cuantas palabras sin relación forman una contraseña fuerte
password-run = es una secuencia del teclado o de números
password-common = es una de las contraseñas más comunes (añadir dígitos o símbolos no ayuda)
password-own-name = contiene su nombre o su dirección de correo
password-guessable = se adivinaría rápido: se parece a una contraseña común o filtrada, a una palabra o un nombre con pocos cambios, o a un patrón; unas cuantas palabras sin relación forman una contraseña fuerte
password-current = es su contraseña actual
password-current-reset = es la contraseña que tiene ahora
