# كلمات مشتركة بين كل الصفحات: اسم المنتج، والتواريخ، ومبدّل اللغة، وصفحات الأخطاء.

app-name = Alliance

month-1 = يناير
month-2 = فبراير
month-3 = مارس
month-4 = أبريل
month-5 = مايو
month-6 = يونيو
month-7 = يوليو
month-8 = أغسطس
month-9 = سبتمبر
month-10 = أكتوبر
month-11 = نوفمبر
month-12 = ديسمبر
# يوم في التقويم: "4 ديسمبر 2026".
date-day-month-year = { $day } { $month } { $year }
# لحظة: "4 ديسمبر 2026، 10:30 CET".
date-time = { $date }، { $time } { $zone }

language-switch = اللغة

error-back = العودة إلى البداية
error-not-found-title = غير موجود
error-not-found = لا يوجد شيء على هذا العنوان.
error-forbidden-title = غير مسموح
error-forbidden = حسابك لا يتيح الوصول إلى هذه الصفحة.
error-bad-request-title = يرجى مراجعة النموذج
error-too-large-title = بيانات كثيرة جداً
error-too-large = أرسل النموذج بيانات أكثر مما يقبله Alliance.
error-upload-unreadable = تعذّرت قراءة النموذج: أجزاؤه مشوّهة أو مقطوعة. لم يُحفظ شيء؛ أرسله مرة أخرى.
error-too-slow-title = استغرق النموذج وقتاً طويلاً
error-too-slow = لم يصل النموذج في الوقت المحدد. يرجى إرساله مرة أخرى.
error-cross-site-title = تم رفض الطلب
error-cross-site = أُرسل هذا النموذج من موقع آخر أو من صفحة منتهية الصلاحية. ارجع، وأعد تحميل الصفحة، ثم حاول مرة أخرى.
error-unavailable-title = يرجى المحاولة مرة أخرى بعد دقيقة
error-unavailable = لا يستطيع Alliance الوصول إلى قاعدة بياناته الآن. لم يُحفظ شيء: ارجع وأرسل النموذج مرة أخرى بعد دقيقة.
error-password-rejected-title = لم تُقبل كلمة المرور
error-password-rejected = لم تُقبل كلمة المرور (أو، إذا كنت تستخدم تطبيق مصادقة، فإن رمزه كان مفقوداً أو خاطئاً أو مستخدماً من قبل). لم يتغير شيء. ارجع وأدخل كلمة المرور ورمزاً جديداً مرة أخرى.
error-throttled-title = يرجى الانتظار
error-throttled = { $seconds ->
    [one] محاولات كثيرة جداً. يرجى الانتظار ثانية واحدة، ثم المحاولة مرة أخرى.
    [two] محاولات كثيرة جداً. يرجى الانتظار ثانيتين، ثم المحاولة مرة أخرى.
    [few] محاولات كثيرة جداً. يرجى الانتظار { $seconds } ثوانٍ، ثم المحاولة مرة أخرى.
   *[other] محاولات كثيرة جداً. يرجى الانتظار { $seconds } ثانية، ثم المحاولة مرة أخرى.
}
error-internal-title = حدث خطأ ما
error-internal = لم يتغير شيء. يرجى المحاولة مرة أخرى بعد قليل.
error-not-possible = غير ممكن: { $why }.
error-unknown-field = احتوى النموذج على حقل لا ينتمي إليه.
error-signal-not-current = هذه الإشارة لم تعد قائمة. أعد تحميل الصفحة.
error-risk-needs-action = يُؤكَّد الاطلاع على إشارة الخطر بذكر ما تم فعله: اختر الإجراء، ومتى نُفّذ، وإن لم يلزم أي إجراء، فلماذا.
language-unknown = هذه اللغة غير متاحة.

# المعالج يطلب رمزاً للجهاز اللوحي.
kiosk-client-stopped = طلب العميل ألا تُرسل إليه استبيانات.
kiosk-nothing-due = لا يوجد شيء مستحق لاستبيان هذه الجلسة.

# نطاقات الدرجات لمقاييس النتائج (Kroenke et al. 2001; Spitzer et al. 2006).
band-minimal = أدنى
band-mild = خفيف
band-moderate = متوسط
band-moderately-severe = شديد نسبياً
band-severe = شديد

# اختيار لغة تُحفظ: لغة الموظف نفسه، ولغة العميل.
language-settings-title = اللغة
language-settings-yours = لغتك
language-settings-device = حسب الجهاز
language-settings-save = حفظ اللغة
language-settings-client-title = لغة العميل
language-settings-client = لغة استبيانات العميل وصفحته ورسائله
language-settings-client-hint = يمكن للعميل تغييرها أيضاً: الاستبيان الذي يُجاب عنه بلغة أخرى تصبح لغته.

# لماذا رُفضت قيمة ما.
parse-empty = { $field }: مطلوب
parse-too-long = { $field }: أطول من { $max } حرفاً
parse-bad-characters = { $field }: يحتوي على أحرف غير مسموح بها
parse-invalid = { $field }: غير صالح: { $why }
field-pseudonym = الاسم المستعار
field-name = الاسم
field-email = البريد الإلكتروني
field-password = كلمة المرور
field-role = الدور
field-rating = التقييم
field-goal = الهدف
field-task = المهمة
field-obstacle = ما حال دون ذلك
field-note = الملاحظة
field-schedule = الجدول
field-crisis-text = نص الأزمات
field-contact-name = اسم جهة الاتصال
field-contact = جهة اتصال
field-contact-link = رابط جهة الاتصال
field-contacts = جهات الاتصال
why-needs-at = يحتاج إلى @
why-not-an-address = لا يبدو عنواناً
why-password-length = يحتاج إلى 12 حرفاً على الأقل
why-unknown-role = دور غير معروف
why-zero-to-ten = يجب أن يكون عدداً صحيحاً من 0 إلى 10
why-not-a-choice = ليس أحد الخيارات
why-cadence = استخدم every أو every:N (من 2 إلى 8) أو first-last
why-measure-form = اكتب كل مقياس بالشكل id=التكرار
why-measure-twice = ذُكر مقياس مرتين
why-contacts-count = 8 على الأكثر، واحد في كل سطر
why-contact-form = اكتبه هكذا: الاسم | الرقم أو الرابط
why-contact-target = أدخل رقم هاتف (أرقام، مسافات، + - ( ) .) أو رابط https://
why-https = يجب أن يكون عنوان https:// بسيطاً
comment-empty = يرجى كتابة تعليق قبل إرساله.
comment-too-long = يمكن أن يصل طول النص إلى { $max } حرفاً على الأكثر؛ وهذا النص فيه { $chars }. يرجى اختصاره.
comment-bad-characters = يحتوي النص على أحرف لا يمكن حفظها. يرجى إعادة كتابته.

# لماذا تُرفض كلمة مرور جديدة.
password-repeats = تكرر عدداً قليلاً جداً من الأحرف المختلفة؛ بضع كلمات غير مترابطة تصنع كلمة مرور قوية
password-run = تسلسل من لوحة المفاتيح أو من الأرقام
password-common = من أكثر كلمات المرور شيوعاً (إضافة أرقام أو رموز لا تفيد)
password-own-name = تحتوي على اسمك أو عنوان بريدك الإلكتروني
password-guessable = يمكن تخمينها بسرعة: قريبة من كلمة مرور شائعة أو مسرّبة، أو كلمة أو اسم مع تغييرات قليلة، أو نمط؛ بضع كلمات غير مترابطة تصنع كلمة مرور قوية
password-current = هي كلمة مرورك الحالية
password-current-reset = هي كلمة المرور التي لديك الآن
