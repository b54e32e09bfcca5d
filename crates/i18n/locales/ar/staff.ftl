# ما يقرؤه الفريق العلاجي: قائمة الحالات، العملاء، الجلسات، الحساب، الإشراف، البحث.

## التنقل
nav-caseload = قائمة الحالات
nav-add-client = إضافة عميل
nav-shared-reflections = التأملات المشتركة
nav-your-patterns = أنماطك
nav-research = بيانات البحث
nav-accounts = الحسابات
nav-therapists = المعالجون
nav-audit-log = سجل التدقيق
nav-break-glass = الوصول الطارئ
nav-crisis = معلومات الأزمات
nav-tablets = الأجهزة اللوحية
nav-your-account = حسابك
nav-sign-out = تسجيل الخروج

## تسجيل الدخول
login-sign-in = تسجيل الدخول
login-heading = تسجيل الدخول إلى Alliance
login-email = البريد الإلكتروني
login-password = كلمة المرور
login-code-title = تسجيل الدخول: الرمز
login-code-heading = أدخل رمزك
login-code-lead = افتح تطبيق المصادقة على هاتفك واكتب الرمز المكوّن من ستة أرقام الذي يعرضه لـ Alliance.
login-code = الرمز
login-no-phone = ليس هاتفك في متناول يدك؟
login-recovery-code = رمز استرداد
login-recovery-code-example = abcd-efgh-jkmn-pqrs
login-with-recovery-code = تسجيل الدخول برمز استرداد
login-recovery-note = يصلح كل رمز استرداد لمرة واحدة. إن لم يكن لديك رمز، فاطلب من مسؤول العيادة إعادة تعيين وصولك.

## قائمة الحالات
caseload-break-glass-heading = وصول مسؤول إلى سجلات عملائك
caseload-break-glass-open = افتح صفحة العميل لتأكيد الاطلاع.
caseload-hint = من يحتاجك أولًا: الخطر، ثم أخطر إشارة مفتوحة، ثم أي جديد هذا الأسبوع، ثم المسار الأسوأ. التفاصيل وتأكيد الاطلاع في صفحة العميل.
caseload-list-label = العملاء، من يحتاجك أولًا
caseload-damaged = السجل تالف
caseload-more = +{ $count } أخرى
caseload-nothing-open = لا شيء مفتوح
caseload-last-session = الجلسة { $number }، { $date }
alerts-needs-you = أحد العملاء يحتاجك.
alerts-answered =
    { $count ->
        [one] أجاب هذا العميل بأنه راودته أفكار بأنه سيكون أفضل حالًا لو مات أو بإيذاء نفسه، ولم يؤكد أحد الاطلاع على ذلك بعد:
        [two] أجاب هذان العميلان بأنه راودتهما أفكار بأنهما سيكونان أفضل حالًا لو ماتا أو بإيذاء نفسيهما، ولم يؤكد أحد الاطلاع على ذلك بعد:
       *[other] أجاب هؤلاء العملاء بأنه راودتهم أفكار بأنهم سيكونون أفضل حالًا لو ماتوا أو بإيذاء أنفسهم، ولم يؤكد أحد الاطلاع على ذلك بعد:
    }
alerts-record = سجّل ما فعلته في صفحة العميل.

## الحساب
account-second-factor = العامل الثاني
account-totp-on = يطلب تسجيل الدخول رمزًا من تطبيق المصادقة لديك.
account-recovery-left =
    { $count ->
        [zero] لم يتبقَّ لك أي رمز استرداد غير مستخدم لتسجيل الدخول من دون هاتفك.
        [one] تبقّى لك رمز استرداد واحد غير مستخدم لتسجيل الدخول من دون هاتفك.
        [two] تبقّى لك رمزا استرداد غير مستخدمين لتسجيل الدخول من دون هاتفك.
        [few] تبقّت لك { $count } رموز استرداد غير مستخدمة لتسجيل الدخول من دون هاتفك.
        [many] تبقّى لك { $count } رمزًا للاسترداد غير مستخدم لتسجيل الدخول من دون هاتفك.
       *[other] تبقّى لك { $count } رمز استرداد غير مستخدم لتسجيل الدخول من دون هاتفك.
    }
account-recovery-low = أنشئ رموزًا جديدة قبل أن تنفد.
staff-your-password = كلمة المرور الخاصة بك
account-new-recovery-codes = إنشاء رموز استرداد جديدة
account-totp-off = إيقاف العامل الثاني
account-totp-why = مع العامل الثاني، يطلب تسجيل الدخول أيضًا رمزًا من ستة أرقام من تطبيق على هاتفك، فلا تكفي كلمة مرور مسروقة وحدها لفتح حسابك.
account-totp-set-up = إعداد عامل ثانٍ
account-change-password-heading = تغيير كلمة المرور
account-change-password-note = تنتهي كل جلسات الدخول الأخرى لحسابك عند تغييرها.
account-current-password = كلمة المرور الحالية
staff-new-password = كلمة المرور الجديدة
staff-new-password-again = أعد كتابة كلمة المرور الجديدة
account-change-password = تغيير كلمة المرور
account-sign-ins = جلسات الدخول النشطة
account-browser = المتصفح
staff-address = العنوان
account-started = البداية
account-last-used = آخر استخدام
account-end = إنهاء
account-this-one = (هذه الجلسة)
account-sign-out-here = تسجيل الخروج هنا
account-end-sign-in = إنهاء جلسة الدخول هذه
account-time-zone = المنطقة الزمنية
account-time-zone-now = تُعرض الأوقات بتوقيت { $zone }: الوقت الآن { $now }. «اليوم» في نماذجك هو تاريخ تلك المنطقة.
account-your-time-zone = منطقتك الزمنية
account-practice-zone = منطقة العيادة ({ $zone })
account-save-time-zone = حفظ المنطقة الزمنية
account-sign-out-everywhere = تسجيل الخروج من كل مكان
account-sign-out-everywhere-note = ينهي كل جلسات الدخول لحسابك، على كل حاسوب وهاتف، بما فيها هذه الجلسة.
account-recovery-title = رموز الاسترداد الخاصة بك
account-recovery-first = العامل الثاني مفعّل: من الآن فصاعدًا يطلب تسجيل الدخول رمزًا من تطبيقك.
account-recovery-keep = إذا فقدت هاتفك، يتيح لك كل رمز من هذه الرموز تسجيل الدخول مرة واحدة بدلًا من رمز التطبيق. احفظها في مكان آمن بعيدًا عن هاتفك: مطبوعة ومقفلًا عليها، أو في مدير كلمات مرور.
account-recovery-only-now = لا تُعرض إلا الآن.
account-recovery-replaced = توقفت كل رموز الاسترداد السابقة عن العمل.
account-recovery-without = من دون هذه الرموز ومن دون هاتفك، لا يستطيع إعادتك إلى حسابك إلا مسؤول.
account-recovery-kept = لقد حفظتها: العودة إلى حسابك
account-totp-scan = امسح هذا الرمز بتطبيق مصادقة على هاتفك، أو اكتب المفتاح فيه يدويًا.
account-totp-key = المفتاح:
account-totp-open = الفتح في تطبيق مصادقة على هذا الجهاز
account-totp-confirm-note = ثم أدخل الرمز الذي يعرضه التطبيق للتأكيد. وحتى ذلك الحين لا يطلب تسجيل الدخول أي رمز.
account-totp-confirm = تأكيد
reset-title = تعيين كلمة مرور جديدة
reset-for = لـ { $name }. يعمل هذا الرابط مرة واحدة. تنتهي كل جلسات الدخول لحسابك عند تعيين كلمة المرور.
reset-set-password = تعيين كلمة المرور

## الجلسات والعملاء
session-tablet-code-title = رمز الجهاز اللوحي في غرفة الانتظار
session-tablet-code-read = اقرأه على العميل. يفتح استبيان هذه الجلسة مرة واحدة، على جهاز لوحي في العيادة، حتى { $until }.
session-back = العودة إلى الجلسة
client-new-title = إضافة عميل
client-pseudonym = الاسم المستعار
client-pseudonym-hint = رمز أو اسم أول لا يعرفه سواك. لا يحتاج Alliance إلى الاسم القانوني للعميل.
client-contact = وسيلة التواصل (اختياري)
client-contact-hint = فقط إن أردت أن يعرضها لك Alliance؛ ويمكن إعطاء الروابط برمز QR بدلًا من ذلك.
client-measures = مقاييس النتائج في استبيان كل جلسة
client-depression = الاكتئاب
client-anxiety = القلق
client-measure-not-validated = { $name } (أضافته هذه الممارسة من Questionnaire بصيغة FHIR؛ لم يتحقق منه مشروع Alliance)
client-start-of-care = بداية الرعاية
client-new-submit = إضافة العميل وفتح فترة رعاية
client-delete-title = حذف بيانات عميل
client-delete-heading = حذف { $pseudonym } وكل بياناته
client-delete-explain = يحذف هذا العميلَ وكل فترة رعاية وجلسة ورابط وإجابة ودرجة وإشارة مؤكَّدة، فورًا ونهائيًا. تبقى البيانات في النسخ الاحتياطية المأخوذة قبل اليوم إلى أن تُستبدل. يحتفظ سجل التدقيق بقيد يفيد بأنك حذفت العميل، من دون أي من بياناته.
client-delete-confirm = اكتب الاسم المستعار للعميل للتأكيد
client-delete-submit = حذف العميل وكل بياناته
client-delete-keep = الإبقاء على العميل
client-export-title = تصدير بيانات عميل
client-export-heading = تصدير بيانات { $pseudonym }
client-export-explain = لعميل يطلب بياناته: جلساته وإجاباته ودرجاته، مع أسماء الاستبيانات. لا تُضمَّن تأملاتك الخاصة. يُسجَّل التصدير في سجل التدقيق.
client-export-format = الصيغة
client-export-html = صفحة للطباعة أو الحفظ
client-export-json = ملف JSON (لنظام آخر)
client-export-submit = تصدير
client-back = العودة إلى العميل
reflection-title = التأمل
session-number = الجلسة { $number }
reflection-heading = تأملك في الجلسة { $number }
reflection-save = حفظ التأمل
client-supervisor-view = أنت تطّلع على هذا العميل بصفتك مشرفًا. يُجري التغييراتِ معالجُ العميل.
client-break-glass-until = وصول طارئ: يمكنك قراءة هذا السجل حتى { $until }. تُسجَّل كل صفحة تفتحها ويُبلَّغ معالج العميل.
client-break-glass-heading = وصول مسؤول إلى هذا السجل
client-acknowledge = تأكيد الاطلاع
client-signals = الإشارات
client-signal-new = جديدة بالنسبة إليك
client-signal-evidence = الدليل: { $evidence }
client-signal-what-to-do = ما العمل
client-signal-suggestions = اقتراحات بصياغة Alliance، مستقاة من البحث في إصلاح التصدعات والتغذية الراجعة؛ وليست بروتوكولًا مُحقَّقًا.
client-risk-what-was-done = ما الذي تم
client-risk-when = متى (بتوقيت { $zone })
client-risk-note = ملاحظة (إلزامية إن لم يلزم أي إجراء: لماذا)
client-risk-record = تسجيل وتأكيد الاطلاع
client-outcome = النتيجة
client-alliance = التحالف العلاجي
client-episode = فترة الرعاية
client-record-session-heading = تسجيل جلسة
client-date = التاريخ
client-attended = حضر
client-record-session = تسجيل الجلسة
client-end-of-care = نهاية الرعاية
client-end-episode = إنهاء فترة الرعاية هذه
client-open-episode = فتح فترة رعاية
client-data-heading = بيانات العميل
client-export-link = تصدير بيانات العميل
client-export-link-note = (بناءً على طلب من العميل)
client-sessions = الجلسات
client-no-sessions = لم تُسجَّل أي جلسة بعد.
client-answers-column = إجابات العميل
client-reflection-column = تأمل المعالج
client-missed = (لم يحضر)
client-open = فتح

## الشراكة مع العميل
partner-stopped = توقف السؤال.
partner-goals = الأهداف
partner-goals-hint = حتى ثلاثة أهداف في آن واحد، بكلمات العميل نفسه، يُتفق عليها في الجلسة. يقيّم العميل كل هدف من 0 (إطلاقًا) إلى 10 (تحقق) في كل استبيان.
partner-no-goals = لا أهداف بعد.
partner-goal-status = ({ $status }؛ التقييمات: { $ratings })
partner-history = السجل
partner-agree-goal = اعتماد هذا الهدف
partner-achieved = تحقق
partner-drop = إسقاط
partner-new-wording = صياغة جديدة
partner-reword = إعادة الصياغة
partner-goal-today = هدف اتُّفق عليه اليوم، بكلمات العميل
partner-add-goal = إضافة هدف
partner-between-sessions = بين الجلسات
partner-no-tasks = لم يُتفق على مهام بعد.
partner-task-agreed = (اتُّفق عليها في { $agreed }؛ { $report })
partner-task-label = مهمة اتُّفق عليها في آخر جلسة، حتى الجلسة التالية
partner-add-task = إضافة مهمة
partner-event-notes = ملاحظات الأحداث
partner-no-notes = لا ملاحظات أحداث.
partner-note-kind = النوع
partner-note = الملاحظة
partner-add-note = إضافة ملاحظة
partner-schedule-heading = ما تسأله الاستبيانات
partner-schedule-hint = متى يُطرح كل استبيان في فترة الرعاية هذه. في صفحة الجلسة ما زال بإمكانك إضافة استبيان أو استبعاده لتلك الجلسة.
partner-before-session = { $name } قبل الجلسة
partner-save-schedule = حفظ الجدول
partner-consent = الموافقة
partner-own-page = صفحة العميل الخاصة
partner-own-page-hint = أهدافه وتقييماته ومهامه ونتيجته بكلمات بسيطة، عبر رابط شخصي من دون حساب. لا تتضمن أبدًا تأملك ولا الإشارات ولا المسار المتوقع.
partner-personal-link = الرابط الشخصي:
partner-link-works = الرابط يعمل.
partner-no-link = لا يوجد رابط فعّال.
partner-issue-new-link = إصدار رابط جديد (يتوقف الرابط القديم)
partner-give-link = إعطاء العميل رابطًا شخصيًا
partner-turn-link-off = إيقاف الرابط
partner-show-alliance = إظهار تقييماته للعلاقة فيها
partner-hide-alliance = إخفاء تقييماته للعلاقة منها
partner-alliance-hidden = تقييمات العلاقة مخفية من صفحة العميل.
partner-alliance-shown = تقييمات العلاقة معروضة في صفحة العميل.

## الجلسة
session-link-for-client = رابط للعميل
session-link-explain = اعرض رمز QR أو أرسل الرابط. يعمل مرة واحدة وتنتهي صلاحيته في { $expires }. يبقى في هذه الصفحة على هذا المتصفح ساعتين ما دام بلا إجابة؛ وإن ضاع فأنشئ رابطًا جديدًا (يتوقف الرابط القديم).
session-check = استبيان العميل
session-check-asks = ما يسأله الاستبيان هذه المرة
session-due = مستحق
session-replace-link = استبدال الرابط (يتوقف الرابط القديم)
session-create-link = إنشاء رابط ورمز QR
session-replace-and-send = استبدال الرابط وإرساله إلى { $to } العميل
session-create-and-send = إنشاء رابط وإرساله إلى { $to } العميل
session-asks = يسأل: { $asks }.
session-your-reflection = تأملك
session-previous-therapist = كانت هذه الجلسة مع المعالج السابق للعميل: يبقى تأمله خاصًا به.
session-alliance-heading = التحالف العلاجي: العميل والمعالج
session-scale = المقياس
session-client = العميل
session-therapist = المعالج
session-risk-item = أُشير إلى بند الخطر

## الأنماط والبحث
patterns-title = الأنماط
patterns-of = الأنماط: { $therapist }
patterns-hint = أنماط للتأمل في الإشراف، لا تقييم للأداء. تختلف قوائم الحالات فيمن يأتي وما يحمله، وبضعة عملاء يحرّكون هذه الأرقام كثيرًا: استخدمها لاختيار ما يُتحدث عنه، لا لمقارنة المعالجين أو تقييمهم أبدًا.
adjusted-title = النتيجة بعد الضبط لشدة الحالة عند البدء
adjusted-own = كان آخر PHQ-9 لعملائك على بعد { $effect } نقطة من المعالج المتوسط في الممارسة، لعملاء بدؤوا بالشدة نفسها (فترة ثقة 95 % من { $low } إلى { $high }؛ { $clients } عميلًا لديهم درجة أولى ودرجة لاحقة).
adjusted-theirs = كان آخر PHQ-9 لعملاء هذا المعالج على بعد { $effect } نقطة من المعالج المتوسط في الممارسة، لعملاء بدؤوا بالشدة نفسها (فترة ثقة 95 % من { $low } إلى { $high }؛ { $clients } عميلًا لديهم درجة أولى ودرجة لاحقة).
adjusted-includes-average = تتضمن الفترة متوسط الممارسة: لا تستطيع بيانات هذه الممارسة التمييز بين هذه النتيجة والمتوسط.
adjusted-lower = الفترة كلها أدنى من متوسط الممارسة (الأقل أفضل): يستحق الأمر فهم ما يساعد ومشاركته.
adjusted-higher = الفترة كلها أعلى من متوسط الممارسة: سؤال للإشراف (أي العملاء، وماذا يحملون)، لا حكم.
adjusted-not-ranking = بيانات هذه الممارسة، لا معيار عام؛ للتأمل لا للترتيب. لا يراها إلا هذا المعالج ومشرفه، ولا تُعرض أبدًا بجانب معالجين آخرين.
adjusted-too-few = أقل من { $min } من هؤلاء العملاء لديهم حتى الآن PHQ-9 أول وآخر لاحق: لا يُعرض تقدير حتى يتوفر ذلك.
adjusted-no-model = ليس لدى الممارسة بعد عدد كافٍ من العملاء لديهم PHQ-9 أول وآخر لاحق لتقدير نتائج المعالجين.
adjusted-not-yet = لم تُحسب أرقام الممارسة منذ بدء تشغيل الخادم؛ ستأتي مع إعادة الملاءمة التالية.
research-session-data = بيانات على مستوى الجلسة، منزوعة الهوية
research-rows = صف واحد لكل درجة مقياس يقيّمها العميل في كل جلسة (للجلسة التي بلا استبيان صف واحد تُترك فيه الدرجة فارغة).
research-codes = يُشار إلى العملاء والمعالجين بمعرّفات بحثية: قيم تجزئة بمفتاح هذه العيادة، هي نفسها في كل تنزيل من هذه العيادة (فيمكن ربط التنزيلات) ولا يمكن تتبعها إلى سجل دون المفتاح.
research-days = يُعطى الوقت بعدد الأيام منذ بدء فترة الرعاية؛ لا توجد تواريخ.
research-ruptures = مؤشرات التصدع: ما أبلغ عنه العميل في الاستبيان، وبداية تصدع رصده تتبّع التصدعات في Alliance، والجلسة التي أُصلح فيها (1 = نعم).
research-not-included = غير مُضمَّن: الأسماء المستعارة، وبيانات التواصل، والأسماء، والتواريخ، والنصوص الحرة، وتأملات المعالجين.
research-format = صيغة الملف
research-format-unknown = اختر CSV أو Parquet.
research-dictionary = تنزيل قاموس البيانات (ما يحويه كل عمود)
research-columns = الأعمدة:
research-password = كلمة المرور الخاصة بك لتأكيد التنزيل (يُسجَّل في سجل الوصول)
research-download = تنزيل

## الإشراف
supervision-rows-caption = عملاء { $name }، الأكثر إلحاحًا أولًا
supervision-open-signals = الإشارات المفتوحة
supervision-last = آخرها { $date }
supervision-nothing-flagged = لا شيء مُشار إليه
supervision-clients-of = عملاء { $name }
supervision-group-counts = العملاء: { $clients } · بإشارات مفتوحة: { $flagged } · عاجلة: { $urgent }
supervision-page-urgent = الصفحة { $page }، الأكثر إلحاحًا أولًا
supervision-no-clients-page = لا عملاء في هذه الصفحة.
supervision-pages = الصفحات
supervision-more-urgent = الأكثر إلحاحًا
supervision-less-urgent = الأقل إلحاحًا
supervision-back = العودة إلى الإشراف
supervision-title = الإشراف
supervision-waiting-heading = تأملات تنتظر تعليقك
supervision-none-waiting = لا يوجد تأمل مشترك ينتظر تعليقًا.
supervision-waiting-count = بالانتظار: { $count }
supervision-newest = { $count ->
    [one] الأحدث:
    [two] الاثنان الأحدث:
    [few] الـ{ $count } الأحدث:
   *[other] الـ{ $count } الأحدث:
}
supervision-waiting-item = { $pseudonym }، الجلسة { $number } ({ $date })
supervision-feelings = المشاعر: { $feelings }
supervision-all-shared = كل التأملات المشتركة للإشراف
supervision-no-supervisees = لا يوجد من تشرف عليهم بعد. يربط مسؤولٌ المعالجين بك.
supervision-patterns-link = أنماط للتأمل في الإشراف
supervision-no-clients = لا عملاء بعد.
supervision-all-clients = { $count ->
    [one] العميل الوحيد لـ { $name }
    [two] عميلا { $name } الاثنان
    [few] عملاء { $name } الـ{ $count } جميعهم
   *[other] عملاء { $name } جميعهم ({ $count })
}
supervision-more = { $count ->
    [one] (واحد آخر، الأكثر إلحاحًا أولًا)
    [two] (اثنان آخران، الأكثر إلحاحًا أولًا)
    [few] ({ $count } آخرون، الأكثر إلحاحًا أولًا)
   *[other] ({ $count } آخر، الأكثر إلحاحًا أولًا)
}
supervision-shared-title = التأملات المشتركة للإشراف
supervision-shared-hint = ما اختار كل معالج أن يطرحه: رؤيته للتحالف، وأي تصدع لاحظه، ومشاعره تجاه العميل. تبقى ملاحظاته الخاصة له.
supervision-shared-per = المشترك لكل من يُشرف عليه
supervision-shared = مشتركة
supervision-waiting-comment = بانتظار تعليق
supervision-shared-by = ما شاركه { $name }، الأحدث أولًا
supervision-all-shared-newest = كل التأملات المشتركة، الأحدث أولًا
supervision-everyone = للجميع
supervision-nothing-shared = لم يُشارَك شيء بعد.
supervision-no-reflections-page = لا تأملات في هذه الصفحة.
supervision-session = الجلسة { $number }
supervision-alliance-view = رؤية المعالج للتحالف
supervision-rupture = تصدع ملحوظ
supervision-feelings-row = المشاعر تجاه العميل
supervision-how-strong = الشدة
supervision-comment = تعليق
supervision-conversation = المحادثة ({ $count })
supervision-page-total = { $total ->
    [zero] الصفحة { $page } · لا تأملات.
    [one] الصفحة { $page } · تأمل واحد.
    [two] الصفحة { $page } · تأملان.
    [few] الصفحة { $page } · { $total } تأملات.
    [many] الصفحة { $page } · { $total } تأملًا.
   *[other] الصفحة { $page } · { $total } تأمل.
}
supervision-newer = الأحدث
supervision-older = الأقدم
supervision-thread-own = طرحت هذه الجلسة في الإشراف. لا يرى هذه المحادثة سواك ومشرفك؛ ولا تُعرض عليه ملاحظتك الخاصة.
supervision-thread-unshared = لم تعد هذه الجلسة مشتركة للإشراف؛ تُحفظ المحادثة لك.
supervision-thread-supervisor = لا يرى هذه المحادثة سواك والمعالج.
supervision-focus = ما أريد طرحه في الإشراف
staff-save = حفظ
supervision-focus-own = ما أردت طرحه في الإشراف
supervision-focus-therapist = ما يريد المعالج طرحه
supervision-no-comments = لا تعليقات بعد.
supervision-reply = رد
supervision-send = إرسال
staff-code-if-app = الرمز من تطبيق المصادقة (إن كنت تستخدمه)

## الأدوار
role-therapist = معالج
role-supervisor = مشرف
role-administrator = مسؤول
role-researcher = باحث
role-lower-therapist = معالج
role-lower-supervisor = مشرف
role-lower-administrator = مسؤول
role-lower-researcher = باحث

## التصدير للعميل
export-title = بيانات { $pseudonym }
export-heading = البيانات المحفوظة عن { $pseudonym }
export-when = صُدِّرت في { $exported }. عميل منذ { $since }.
export-episode = فترة رعاية من { $from }
export-episode-ended = فترة رعاية من { $from } إلى { $to }
export-goal-status = ({ $status }، اقترحه { $by }).
export-ratings = التقييمات:
export-none = لا شيء
export-history = السجل:
export-tasks = المهام المتفق عليها بين الجلسات
export-not-reported = لم يُبلَّغ عنها
export-obstacle = ما اعترضها: { $obstacle }
export-not-attended = (لم يحضر)
export-answered = أُجيب في { $at }
export-question = السؤال
export-answer = الإجابة
export-score = الدرجة
export-value = القيمة
export-band = الفئة
export-not-scored = بلا درجة

## Caseload lines
caseload-heading = قائمة حالاتك
caseload-empty = لا عملاء بعد. استخدم «إضافة عميل» للبدء.
caseload-badge-risk = خطر
caseload-badge-rupture = تصدع
caseload-badge-low-alliance = تحالف منخفض
caseload-badge-off-track = خارج المسار
caseload-badge-worse = تدهور
caseload-badge-views-differ = آراء مختلفة
caseload-badge-missing = غياب
caseload-badge-not-asked = لا يُسأل
caseload-badge-improved = تحسّن
caseload-badge-recovered = تعافٍ
caseload-when-today = اليوم
caseload-when-new = جديدة
caseload-age-days = { $days } ي
caseload-age-weeks = { $weeks } أسبوع
caseload-age-months = { $months } شهر
caseload-alliance = التحالف { $alliance }
caseload-alliance-falling = التحالف { $alliance } في تراجع
caseload-alliance-rising = التحالف { $alliance } في صعود
## How a client is doing
client-change-recovered = تعافى
client-change-improved = تحسّن موثوق
client-change-unchanged = لا تغيّر موثوق
client-change-deteriorated = تدهور موثوق
client-change-harmed = تدهور موثوق إلى النطاق السريري
client-change-from-first = { $change } منذ الدرجة الأولى { $first }
client-first-score = الدرجة الأولى
client-no-outcome = لا نتيجة بعد
client-alliance-therapist = المعالج { $score }
client-trend-below = ↓ { $points } دون المعتاد مؤخرًا
client-trend-above = ↑ { $points } فوق المعتاد مؤخرًا
client-trend-steady = مستقر
client-trend-first-check = أول استبيان
client-no-check = لا استبيان بعد
client-track-white = في النطاق غير السريري
client-track-green = على المسار المتوقع
client-track-yellow = دون المتوقع
client-track-red = معرّض لخطر نتيجة سيئة
## Signals as the client page shows them
client-signal-risk = خطر
client-signal-rupture = تصدع
client-signal-low-alliance = تحالف منخفض
client-signal-not-on-track = خارج المسار المتوقع
client-signal-deterioration = تدهور موثوق
client-signal-discrepancy = رؤى مختلفة للتحالف
client-signal-disengagement = انقطاع عن المشاركة
client-signal-stopped-asking = طلب ألا يُسأل
client-signal-improvement = تحسّن موثوق
client-signal-recovery = تعافٍ
client-signal-acknowledged = أكّد الاطلاع { $name } في { $date }
client-risk-action = { $action } في { $at } (سجّله { $name } في { $recorded })
alerts-today = اليوم
alerts-yesterday = أمس
alerts-days-ago =
{ $days ->
    [one] قبل يوم واحد
    [two] قبل يومين
    [few] قبل { $days } أيام
    [many] قبل { $days } يومًا
   *[other] قبل { $days } يوم
}
client-risk-contacted = تم التواصل مع العميل
client-risk-safety-plan = تمت مراجعة خطة السلامة
client-risk-referred = تمت الإحالة
client-risk-not-needed = لم يلزم
client-evidence-item9 = PHQ-9 البند 9
client-evidence-session = الجلسة
client-evidence-level-before = المستوى السابق
client-evidence-lowest = الأدنى
client-evidence-drop = الانخفاض
client-evidence-length = المدة بالجلسات
client-evidence-repair-session = أُصلح في الجلسة
client-evidence-therapist = المعالج
client-evidence-client = العميل
client-evidence-score = الدرجة
client-evidence-boundary = حد النطاق المعتاد
client-evidence-cutoff = عتبة القلق
client-evidence-first = الأولى
client-evidence-latest = الأحدث
client-evidence-rci = مؤشر التغيّر الموثوق
client-evidence-missed-sessions = جلسات متتالية فائتة
client-evidence-missed-checks = جلسات متتالية بلا استبيان

## Supervision: a shared reflection in words
supervision-alliance-total = { $total } من 30 (الأهداف { $goals }، المهام { $tasks }، الرابطة { $bond })
supervision-not-rated = غير مقيَّم
supervision-not-answered = بلا إجابة
supervision-repaired = أُصلح: { $repaired }
supervision-none-noted = لم يُسجَّل شيء
supervision-bad-page = يجب أن تكون الصفحة عددًا صحيحًا يبدأ من 1.
supervision-bad-therapist = يجب تحديد المعالج برقمه، كما في روابط هذه الصفحة.
supervision-bad-query = لا تقبل هذه الصفحة إلا رقم صفحة ومعالجًا.
supervision-not-shared = هذا التأمل غير مشترك للإشراف، فلا توجد محادثة تُضاف إليها.
supervision-share-first = اطرح هذه الجلسة في الإشراف من خلال تأملك أولًا؛ ثم اكتب ما تريد طرحه.

## The client page: forms, charts and the sessions table
client-unknown-measure = مقياس نتائج غير معروف.
client-pseudonym-error = الاسم المستعار: { $error }.
client-contact-error = وسيلة التواصل: 200 حرف على الأكثر من نص عادي، في سطر واحد.
client-start-of-episode = بداية فترة الرعاية
client-end-of-episode = نهاية فترة الرعاية
client-end-in-future = لا يمكن أن تنتهي فترة الرعاية في المستقبل.
client-date-missing = { $field }: يُرجى إدخال تاريخ.
client-date-invalid = { $field }: { $error }.
chart-cutoff = نقطة القطع { $value }
chart-outcome-description = درجات { $measure } من { $first } في الجلسة { $from } إلى { $last } في الجلسة { $to }؛ الأعلى يعني أشد.
chart-outcome-cutoff = الخط الأسود ذو الشرطات الطويلة هو { $cutoff } السريرية.
chart-outcome-title = { $measure } حسب الجلسة
chart-client = العميل
chart-therapist = المعالج
chart-expected = المتوقع
chart-below-expectation = دون المتوقع
chart-at-risk = في خطر
chart-expected-description = خطوط رفيعة متقطعة بلا نقاط: المسار المتوقع لهذه الدرجة الأولية (شرطات رمادية)، والحدود التي يكون العميل فوقها دون المتوقع (نقاط برتقالية) أو معرّضًا لخطر نتيجة سيئة (شرطة ونقطة باللون القرمزي).
chart-amber-edge = الحد الكهرماني
chart-red-edge = الحد الأحمر
chart-repaired-score = عادت الدرجة إلى مستواها
chart-repaired-client = قال العميل إنه نوقش
chart-repaired-therapist = قال المعالج إنه أُصلح
chart-repair-marker = الجلسة { $session }: أُصلح، { $basis } (تصدع الجلسة { $onset })
chart-repaired-in = أُصلح في الجلسة { $session } ({ $basis })
chart-not-repaired = لم يُصلح حتى الجلسة { $session }
chart-repair-unknown = الإصلاح غير معروف (لا استبيان منذ ذلك الحين)
chart-repair-possible = الإصلاح ما زال ممكنًا
chart-rupture-marker = الجلسة { $session }: تصدع ({ $rule })؛ { $repair }
chart-rupture-reported = مُبلَّغ عنه
chart-rupture-dip = انخفاض
chart-concern = قلق { $value } (مؤقت)
chart-alliance-description = التحالف العلاجي (الأهداف والمهام والرابطة؛ من 6 إلى 30، الأعلى أفضل) كما قيّمه العميل بعد { $client } من الجلسات والمعالج بعد { $therapist }. المثلثات القرمزية المتجهة إلى الأسفل تشير إلى التصدعات (المُبلَّغ عنها، أو انخفاض مقارنة بتقلب العميل المعتاد)؛ والمثلثات الخضراء المتجهة إلى الأعلى تشير إلى الإصلاحات.
chart-alliance-title = التحالف العلاجي حسب الجلسة: العميل والمعالج
chart-alliance-axis = التحالف
chart-goals = الأهداف
chart-tasks = المهام
chart-bond = الرابطة
chart-gtb-description = تقييمات العميل للاتفاق على الأهداف وعلى المهام وللرابطة (من 2 إلى 10 لكل منها، الأعلى أفضل).
chart-gtb-title = الأهداف والمهام والرابطة حسب الجلسة (العميل)
chart-subscale = المقياس الفرعي
client-rupture-flag = (تصدع)
client-reflection-alliance = التحالف { $value }
client-reflection-alliance-supervision = التحالف { $value }، للإشراف
client-episode-since =
{ $count ->
    [zero] منذ { $date }؛ لا جلسات.
    [one] منذ { $date }؛ جلسة واحدة.
    [two] منذ { $date }؛ جلستان.
    [few] منذ { $date }؛ { $count } جلسات.
    [many] منذ { $date }؛ { $count } جلسة.
   *[other] منذ { $date }؛ { $count } جلسة.
}
client-no-episode = لا توجد فترة رعاية مفتوحة.
client-risk-choose = اختر ما الذي تم.
client-risk-give-time = أدخل تاريخ الإجراء ووقته.
client-not-saved = لم يُحفظ: { $error }.
chart-rupture-sudden-loss = هبوط مفاجئ
chart-rupture-below-cutoff = دون نقطة القطع

## The partnership section of the client page
chart-goal = الهدف { $number }
chart-goal-line = الهدف { $number } ({ $goal }): من { $first } إلى { $last } من 10.
chart-goals-title-own = تقييماتك لأهدافك حسب الجلسة
chart-goals-title-client = تقييمات العميل لأهدافه حسب الجلسة
chart-goals-description = التقدم نحو كل هدف، من 0 (إطلاقًا) إلى 10 (تحقق). { $lines }
chart-goal-rating = تقييم الهدف
partner-stopped-text = طلب العميل في { $date } ألا يُسأل عن الاستبيانات: لا يمكن إنشاء رابط جديد حتى يستأنف من صفحته الخاصة أو من رابط لديه. تحدّث معه في ذلك.
partner-consent-not-shown = لم يُعرض بعد: يراه العميل مع أول استبيان.
partner-consent-given = عُرض ووافق عليه في { $date } (نسخة النص { $version })؛ استخدام إجاباته في البحث: { $research }.
partner-yes = نعم
partner-no = لا
partner-ratings-two = { $first } في الجلسة { $from }، والآن { $last } في الجلسة { $to }
partner-ratings-one = { $rating } في الجلسة { $session }
partner-not-rated = لم يُقيَّم بعد
partner-history-text = { $date }: { $change } بصيغة «{ $text }»
partner-history-change = { $date }: { $change }
partner-goal-proposed-status = اقترحه العميل، ويُتفق عليه في الجلسة
partner-goal-agreed = متفق عليه
partner-goal-achieved = تحقق
partner-goal-dropped = أُسقط
partner-goal-proposed = مقترح
partner-goal-reworded = أُعيدت صياغته
partner-no-task-reported = لم يُبلَّغ عن أي مهمة بعد.
partner-completion = أُنجزت { $done } من أصل { $reported } مهام مُبلَّغ عنها ({ $percent }% مع احتساب المهمة المنجزة جزئيًا نصفًا).
partner-task-session = الجلسة { $number }
partner-task-not-reported = لم يُبلَّغ عنها بعد
partner-task-done = أُنجزت
partner-task-partly = أُنجزت جزئيًا
partner-task-not-done = لم تُنجز
partner-task-obstacle = { $done }؛ ما اعترضها: «{ $obstacle }»
partner-kind-medication = تغيير في الدواء
partner-kind-life-event = حدث حياتي
partner-kind-break = انقطاع في العلاج
partner-kind-other = أخرى
partner-cadence-every = كل جلسة
partner-cadence-second = كل جلستين
partner-cadence-third = كل ثلاث جلسات
partner-cadence-nth = كل { $n } جلسات
partner-cadence-first-last = الجلسة الأولى والأخيرة
partner-no-episode = ليس لدى العميل فترة رعاية مفتوحة.
partner-choose-goal-change = اختر ما تفعله بالهدف.
partner-link-changed = تغيّر الرابط في هذه الأثناء. أعد تحميل الصفحة.
partner-choose-page-change = اختر ما تفعله بصفحة العميل.
partner-episode-ended = انتهت فترة الرعاية.
partner-schedule-error = الجدول: { $error }.
partner-schedule-before = الجدول: «قبل الجلسة» إما نعم أو يُترك.
partner-note-error = الملاحظة: { $error }.
partner-goal-error = الهدف: { $error }.
partner-which-goal = أي هدف؟
partner-task-error = المهمة: { $error }.
partner-note-date = تاريخ الملاحظة

## The session page
session-episode-ended = انتهت فترة الرعاية هذه.
session-attended-invalid = يجب أن تكون قيمة «حضر» نعم أو تُترك فارغة.
session-not-scored = بلا درجة (إجابات ناقصة كثيرة)
session-prorated = (محسوبة بالتناسب)
session-choose-one = اختر استبيانًا واحدًا على الأقل.
session-not-askable = ليس هذا الاستبيان مما يمكن أن يطرحه استبيان هذا العميل.
session-no-link = لم يُنشأ أي رابط بعد.
session-answered = أجاب عنه العميل.
session-link-expired = انتهت صلاحية الرابط الأخير دون إجابة.
session-link-open = يوجد رابط مفتوح حتى { $until }.
session-answer-title = { $questionnaire } — { $who }
session-reflection-recorded = مُسجَّل.
session-reflection-not-recorded = لم يُسجَّل بعد.
session-reflection-edit = تعديل التأمل
session-reflection-record = تسجيل التأمل
session-cannot-send = لا يمكن إرسال الرابط: وسيلة تواصل العميل ليست عنوان بريد إلكتروني ولا رقم هاتف مع رمز البلد (+44 ...)، أو أن هذا الخادم لا يرسل بهذه الطريقة. اعرض رمز QR بدلًا من ذلك.
session-send-invalid = يجب أن تكون قيمة «إرسال» نعم أو تُترك.
session-all-answered = أجاب العميل عن كل ما يستحق في هذه الجلسة؛ حدّد استبيانًا لطرحه على أي حال.
session-email = البريد الإلكتروني
session-phone = الهاتف (رسالة نصية)
session-text-message = رسالة نصية
session-delivery-sent-link = أُرسل الرابط عبر { $medium } في { $at }.
session-delivery-sent-reminder = أُرسل التذكير عبر { $medium } في { $at }.
session-delivery-failed = تعذّر تسليم { $medium }: { $why }.
session-delivery-retrying = لم يُسلَّم { $medium } بعد (المحاولات: { $attempts }؛ تجري إعادة المحاولة): { $why }.
session-delivery-waiting-link = الرابط بانتظار الإرسال عبر { $medium }.
session-delivery-waiting-reminder = التذكير بانتظار الإرسال عبر { $medium }.
session-no-reason = لم يُحفظ سبب
session-check-form = يُرجى مراجعة النموذج: { $error }.
session-cadence-timing = { $cadence }، { $timing }
session-before = قبل الجلسة

## Account and sign-in messages
account-not-changed-same = لم يتغيّر شيء: كلمتا المرور الجديدتان غير متطابقتين.
account-not-changed = لم يتغيّر شيء: { $why }.
account-not-changed-race = لم يتغيّر شيء: غُيّرت كلمة المرور من مكان آخر في اللحظة نفسها.
account-password-changed = تم تغيير كلمة المرور الخاصة بك.
account-password-changed-ended =
{ $count ->
    [one] تم تغيير كلمة المرور الخاصة بك. أُنهيت جلسة دخول أخرى واحدة.
    [two] تم تغيير كلمة المرور الخاصة بك. أُنهيت جلستا دخول أخريان.
    [few] تم تغيير كلمة المرور الخاصة بك. أُنهيت { $count } جلسات دخول أخرى.
    [many] تم تغيير كلمة المرور الخاصة بك. أُنهيت { $count } جلسة دخول أخرى.
   *[other] تم تغيير كلمة المرور الخاصة بك. أُنهيت { $count } جلسة دخول أخرى.
}
account-no-setup = لا يوجد إعداد لتأكيده.
account-code-wrong = هذا الرمز غير صحيح. تحقّق من الوقت على هاتفك وأدخل أحدث رمز.
account-recovery-needs-factor = رموز الاسترداد بديل عن العامل الثاني: أعدّ عاملًا ثانيًا أولًا.
account-totp-removed = العامل الثاني متوقف.
account-qr-label = رمز QR لتطبيق المصادقة لديك
account-not-recorded = غير مسجَّل
account-unknown-browser = متصفح غير معروف
account-browser-on = { $browser } على { $system }
account-sign-in-ended = انتهت جلسة الدخول هذه بالفعل. أعد تحميل الصفحة.
account-step-password = قبل المتابعة، اختر كلمة مرورك الخاصة أدناه: فالكلمة التي دخلت بها عيّنها مسؤول.
account-step-second-factor = قبل المتابعة، أعدّ عاملك الثاني من جديد: أزال مسؤول العامل السابق عند إعادة تعيين وصولك.
login-wrong = البريد الإلكتروني أو كلمة المرور غير صحيحين.
login-too-long = استغرق تسجيل الدخول هذا وقتًا طويلًا أو كان قد انتهى. يُرجى تسجيل الدخول مجددًا.
login-recovery-wrong = رمز الاسترداد هذا غير صحيح أو سبق استخدامه.
login-code-wrong = هذا الرمز غير صحيح أو سبق استخدامه. أدخل أحدث رمز من تطبيقك.
reset-not-valid-title = الرابط غير صالح
reset-not-valid = لم يعد هذا الرابط صالحًا: استُخدم، أو انتهت صلاحيته، أو حلّ محله رابط أحدث.
reset-ask-admin = اطلب رابطًا جديدًا من مسؤول العيادة.
reset-not-set-same = لم تُعيَّن: كلمتا المرور غير متطابقتين.
reset-not-set = لم تُعيَّن: { $why }.
reset-done-title = عُيّنت كلمة المرور
reset-done = عُيّنت كلمة مرورك الجديدة. أُنهيت كل جلسات الدخول السابقة لحسابك.
reset-sign-in-now = سجّل الدخول بها الآن.

## Patterns
patterns-caption-clients =
{ $count ->
    [one] التحالف العلاجي كما يقيّمه العميل (من 6 إلى 30، الأعلى أفضل) لعميل نشط واحد حسب رقم الجلسة.
    [two] التحالف العلاجي كما يقيّمه العملاء (من 6 إلى 30، الأعلى أفضل) لعميلَين نشطَين حسب رقم الجلسة.
    [few] التحالف العلاجي كما يقيّمه العملاء (من 6 إلى 30، الأعلى أفضل) لـ { $count } عملاء نشطين حسب رقم الجلسة.
    [many] التحالف العلاجي كما يقيّمه العملاء (من 6 إلى 30، الأعلى أفضل) لـ { $count } عميلًا نشطًا حسب رقم الجلسة.
   *[other] التحالف العلاجي كما يقيّمه العملاء (من 6 إلى 30، الأعلى أفضل) لـ { $count } عميل نشط حسب رقم الجلسة.
}
patterns-caption-quartiles = التحالف العلاجي كما يقيّمه العملاء (من 6 إلى 30، الأعلى أفضل) لـ { $count } من العملاء النشطين حسب رقم الجلسة: الوسيط والربيعيات (نصف العملاء بينها)، عند أرقام الجلسات التي لها 5 درجات على الأقل.
patterns-median = الوسيط
patterns-lower-quartile = الربيع الأدنى
patterns-upper-quartile = الربيع الأعلى
patterns-chart-title = التحالف العلاجي للعملاء حسب الجلسة
patterns-active-how = العملاء الذين لديهم فترة رعاية مفتوحة؛ كل الأرقام أدناه تخصهم.
patterns-level-how = متوسط آخر درجة تحالف لكل عميل (من 6 إلى 30)، من { $count } من العملاء.
patterns-trend-how = متوسط ميل كل عميل عبر آخر { $window } درجات له (للعملاء الذين لديهم { $min } على الأقل): يسهم { $count } من العملاء.
patterns-ruptures = رُصد { $count }: أُصلح { $repaired }، ولم يُصلح { $unrepaired }، وما زال { $open } مفتوحًا
patterns-ruptures-how = يُبلغ عنها العميل أو المعالج، أو انخفاض في تحالف العميل؛ وتُعدّ مُصلحة عند مناقشتها أو عند عودة الدرجة.
patterns-signals-how = ما زالت الإشارات المفتوحة تستدعي الانتباه (وخطر آخر استبيان يستدعيه دائمًا).
patterns-days-how = من الجلسة التي تخصها الإشارة حتى تأكيد الاطلاع عليها. انتظرت الإشارات المفتوحة { $days } يومًا (الوسيط).
patterns-checks-how = { $answered } من { $due } جلسات حضرها العميل (لا تُحتسب الاستبيانات التي ما زالت مفتوحة).
patterns-active = العملاء النشطون
patterns-level = مستوى التحالف
patterns-trend = اتجاه التحالف
patterns-per-session = { $value } لكل جلسة
patterns-ruptures-label = التصدعات
patterns-signals = الإشارات
patterns-signals-value = { $open } مفتوحة، { $acknowledged } مؤكَّد الاطلاع عليها
patterns-days = الأيام حتى تأكيد الاطلاع
patterns-median-value = { $value } (الوسيط)
patterns-checks = استبيانات العملاء المُجاب عنها
patterns-tasks = المهام المنجزة بين الجلسات
patterns-tasks-how = من أصل { $count } مهام اتُّفق عليها في الجلسة وأُبلغ عنها في الاستبيان التالي؛ المهمة المنجزة جزئيًا تُحتسب نصفًا.
## Rights
client-delete-mismatch = الاسم المكتوب ليس الاسم المستعار للعميل. لم يُحذف شيء.
client-deleted-title = حُذف العميل
client-deleted = حُذف العميل وكل بياناته.
client-export-unknown = صيغة تصدير غير معروفة.

## Chart drawing
chart-rupture = تصدع
chart-repair = إصلاح
chart-event-note = ملاحظة حدث
chart-session-axis = الجلسة
chart-point = { $series }: الجلسة { $session }، { $value }

## Printed export codes
export-revised = عُدّل
export-by-client = العميل
export-by-therapist = المعالج
export-done-yes = نعم
export-done-partly = جزئيًا
export-done-no = لا

## More staff words
client-level-critical = حرجة
client-level-urgent = عاجلة
client-level-warning = تحذير
client-level-notice = تنبيه
client-level-info = معلومة
session-qr-label = رمز QR للرابط

## More evidence names
client-evidence-gap = الفارق
client-evidence-threshold = العتبة
client-evidence-change = التغيّر
client-evidence-expected = المتوقع
client-evidence-alliance = التحالف
client-evidence-episode-start = جلسة بدء فترة الرعاية

## Session dates
session-date-field = تاريخ الجلسة

## Clinical support (issue 18)
support-heading = الدعم السريري
support-not-validated = استبيان العوائق ومسار القرار واستراتيجيات الإصلاح من صياغة هذا المشروع ولم يتم التحقق منها بعد: اقتراحات لحكمك المهني، وليست تعليمات.
barrier-heading = ما الذي قد يعيق التقدّم
barrier-check-name = استبيان العوائق
barrier-requested = سيُطرح استبيان العوائق مع الرابط التالي (طُلب في { $date }).
barrier-withdraw = عدم طرحه
barrier-suggest-not-on-track = العميل لا يسير وفق المتوقع. يسأل استبيان عوائق قصير مع الرابط التالي عن العلاقة والاستعداد للتغيير والدعم وأحداث الحياة الأخيرة.
barrier-suggest = إذا بدا العلاج متوقفاً، يسأل استبيان عوائق قصير مع الرابط التالي عن العلاقة والاستعداد للتغيير والدعم وأحداث الحياة الأخيرة.
barrier-request = طرح استبيان العوائق مع الرابط التالي
barrier-start-here = ابدأ من هنا
barrier-answered = أُجيب عنه في الجلسة { $session } ({ $date }). بالترتيب الذي يُستحسن تناولها به:
barrier-mspss = الدعم الاجتماعي المُدرك (MSPSS، الجلسة { $session }): { $value } من 7 في المتوسط.
barrier-status-flagged = يعيق التقدّم ({ $score } من { $of })
barrier-status-clear = لا عائق هنا ({ $score } من { $of })
barrier-status-unanswered = لم تتم الإجابة
barrier-step-reconsider = بعد ذلك، إذا ظل العميل لا يسير وفق المتوقع: أعد النظر في الصياغة السريرية أو أحِل
barrier-domain-alliance = العلاقة
barrier-domain-motivation = الاستعداد للتغيير
barrier-domain-support = الدعم الاجتماعي
barrier-domain-life-events = أحداث الحياة الأخيرة
barrier-action-alliance-ask = اسأل العميل مباشرة عن رأيه في سير العمل المشترك وما الذي يجعله أكثر فائدة؛ تقبّل ما يقوله دون دفاع.
barrier-action-alliance-adjust = راجعا الأهداف والمهام معاً: اتفقا بكلمات العميل على ما ستعملان عليه تالياً وكيف.
barrier-action-alliance-supervision = اعرض العلاقة في الإشراف أو الاستشارة، مع استبيانات العميل وتأملاتك.
barrier-action-motivation-explore = استكشف التردد تجاه التغيير: ما الذي يمنحه البقاء على الحال للعميل، وما الذي يجعل التغيير جديراً بالعناء (المقابلة التحفيزية).
barrier-action-motivation-goals = تحقق من أن الأهداف هي أهداف العميل نفسه، واجعل الخطوة التالية صغيرة بما يكفي ليمكن تحقيقها.
barrier-action-motivation-pace = تحدّثا بصراحة عن الاستعداد: اتفقا على وتيرة، أو على توقف مؤقت، بدلاً من المضي بإلحاح.
barrier-action-support-map = ارسم خريطة لمن حول العميل: من يساعد، ومن لا يساعد، ومن يمكنه اللجوء إليه.
barrier-action-support-involve = بموافقة العميل، فكّر في إشراك شخص قريب منه، أو في مساعدة عملية (مجموعة، أو نظير، أو خدمة).
barrier-action-support-community = أشر إلى دعم خارج العلاج يمكن للعميل الاستفادة منه بين الجلسات (المجتمع، أو الإيمان، أو مجموعات الأقران أو المجموعات عبر الإنترنت).
barrier-action-events-attend = اسأل عمّا حدث وكيف يؤثر في العميل الآن؛ قد يحتاج ذلك إلى أن يأتي أولاً لبعض الوقت.
barrier-action-events-problem-solve = ساعد في الجانب العملي (حل المشكلات، وخدمات الإرشاد) وكيّف الخطة مع ما يستطيع العميل تحمّله الآن.
barrier-action-events-risk = بعد فقدان أو أزمة، تحقّق من السلامة والخطر، واسأل عن النوم وتناول الكحول والمخدرات.
barrier-action-reconsider-formulation = راجع الصياغة السريرية وخطة العلاج: هل هذا هو النهج المناسب، بالشدة المناسبة، لهذه المشكلة؟
barrier-action-reconsider-consult = استشر زميلاً أو مشرفك بشأن الحالة.
barrier-action-reconsider-refer = فكّر في الإحالة: مراجعة للأدوية، أو خدمة متخصصة، أو نوع آخر من العلاج.
repair-heading = التصدّعات والإصلاح
repair-hint = استراتيجيات تناسب نوع التصدّع: الفورية تعالج المهمة أو الهدف، والاستكشافية تجعل ما حدث بينكما هو الموضوع. سجّل ما جرّبته؛ تُظهر الاستبيانات التالية ما إذا عاد التحالف.
repair-rupture-heading = تصدّع في الجلسة { $session } ({ $kind })
repair-kind-withdrawal = انسحاب
repair-kind-confrontation = مواجهة
repair-kind-unknown = النوع غير مذكور
repair-status-repaired = عاد التحالف.
repair-status-unrepaired = لم يُصلح خلال فترة الإصلاح.
repair-status-open = لا يزال مفتوحاً.
repair-approach-immediate = فورية
repair-approach-exploratory = استكشافية
repair-strategies = استراتيجيات لهذا التصدّع
repair-what-tried = ما جرّبته
repair-in-session = في الجلسة
repair-note = ملاحظة (لا يراها غيرك)
repair-record = تسجيل
repair-attempt-line = الجلسة { $session }: { $strategy }. { $outcome }
repair-outcome-came-back = عاد التحالف في الجلسة { $session }.
repair-outcome-not-back = لم يعد التحالف خلال فترة الإصلاح.
repair-outcome-not-yet = لم يعد بعد.
repair-outcome-no-check = لا يوجد استبيان للعلاقة منذ ذلك الحين.
repair-outcome-back-before = كان التحالف قد عاد قبل ذلك.
repair-strategy-clarify-rationale = توضيح مبرر المهمة أو الهدف، والتحقق من فهم العميل
repair-strategy-adjust-task = تغيير المهمة أو وتيرتها ليتمكن العميل من الانخراط فيها
repair-strategy-invite-disagreement = دعوة العميل إلى قول ما لا يناسبه، والترحيب بالاختلاف
repair-strategy-name-withdrawal = الإشارة بلطف وبصوت مسموع إلى الانسحاب، واستكشاف كيف كان
repair-strategy-acknowledge-part = الاعتراف بدورك فيما حدث، دون دفاع
repair-strategy-change-goal = إعادة التفاوض على الهدف أو المهمة التي يعترض عليها العميل
repair-strategy-explore-anger = استكشاف إحباط العميل وما تحته من ألم أو خيبة أمل
repair-strategy-metacommunicate = التحدث عمّا يحدث بينكما الآن (ما وراء التواصل)
repair-strategy-link-pattern = ربط التوتر بأنماط العميل في علاقاته الأخرى، بعناية وبموافقته
support-episode-ended = انتهت فترة الرعاية هذه.
support-reason-invalid = اختر سبب طرح استبيان العوائق.
support-session-invalid = اختر جلسة من فترة الرعاية هذه.
support-tried-before-rupture = يُجرَّب الإصلاح في جلسة التصدّع أو بعدها.
support-strategy-invalid = اختر استراتيجية من القائمة.
client-end-reason = كيف انتهت الرعاية
client-end-reason-unsaid = غير مذكور
client-end-reason-completed = اكتملت كما اتُّفق
client-end-reason-dropped-out = توقف العميل عن الحضور دون الاتفاق على الإنهاء
client-end-reason-referred = أُحيل إلى جهة أخرى
client-end-reason-other = أخرى
client-end-reason-invalid = اختر من القائمة كيف انتهت الرعاية.
session-when-requested = عندما تطلبه
session-when-chosen = عند تحديده
session-yes = نعم
session-no = لا
session-prediction-heading = توقعك واستبيان العميل
session-prediction-yours = توقعك
session-prediction-rating = تقييم العمل المشترك (لكل بند، من 1 إلى 5)
session-prediction-strain = لحظة لم يكن فيها شيء على ما يرام
session-prediction-spotted = توقعت التوتر الذي ذكره العميل.
session-prediction-missed = ذكر العميل توتراً لم تتوقعه.
session-prediction-not-reported = توقعت توتراً لم يذكره العميل.
session-prediction-both-none = لم يذكر أيّ منكما توتراً.
session-prediction-after-check = حُفظ بعد وصول استبيان العميل، لذا لا يُحتسب في أنماطك.
session-prediction-hint = للتأمل، لا للتقييم. التصدّعات التي تم التعرف عليها لم تضرّ بأعراض الجلسة التالية، بينما أضرّت بها التي لم يُتعرف عليها (Chen وآخرون 2018).
patterns-spotted-label = التوترات التي توقعتها
patterns-spotted = { $spotted } من { $reported } توترات ذكرها العملاء ({ $percent } %)
patterns-spotted-none = لم يُذكر أي توتر حيث قدّمت توقعاً
patterns-spotted-how = من التوقعات في تأملاتك المحفوظة قبل وصول استبيان العميل ({ $compared } جلسات)؛ وتوقعت أيضاً { $unexpected } توترات لم يذكرها العملاء. للتأمل، لا للتقييم.
patterns-prediction-label = تقييمك المتوقع مقابل تقييم العميل
patterns-prediction-gap = { $gap } في المتوسط (المسافة المعتادة { $abs })
patterns-prediction-gap-how = توقعك ناقص تقييم العميل لكل بند (من 1 إلى 5)، عبر { $count } جلسات: فوق الصفر يعني أنك توقعت أكثر مما أعطاه العميل.
research-repair-heading = ما جُرّب بعد التصدّعات
research-repair-hint = كل محاولة إصلاح سجّلها المعالجون لعملاء وافقوا على البحث، وما إذا عاد التحالف خلال فترة الإصلاح وفق استبيانات العميل نفسه. تُستبعد المحاولات التي لم تُعرف نتيجتها بعد. ليست مقارنة بين الاستراتيجيات: من يجرّب ماذا ومتى ليس عشوائياً.
research-repair-none = لا توجد بعد محاولات إصلاح معروفة النتيجة.
research-repair-strategy = الاستراتيجية
research-repair-attempts = المحاولات
research-repair-clients = العملاء
research-repair-came-back = عاد التحالف
research-repair-share = { $back } ({ $percent } %)
research-repair-suppressed = أقل من { $min } عملاء
research-practice-not-norm = بيانات هذه العيادة، وليست معياراً.
research-dropout-heading = الإنذار المبكر بالانقطاع عن العلاج
research-dropout-default-weights = يستخدم الإنذار الأوزان الافتراضية للمشروع، المضبوطة على عيادات مولَّدة: غير مُتحقق منها على بيانات سريرية حقيقية.
research-dropout-practice-weights = يستخدم الإنذار أوزاناً أُعيدت مواءمتها على فترات الرعاية المنتهية في هذه العيادة.
research-dropout-not-yet = لم تُعد مواءمة الأوزان بعد: يُعاد ضبط نموذج العيادة وفق جدول زمني.
research-dropout-too-few = تحتاج إعادة المواءمة إلى { $min_episodes } فترة رعاية منتهية فيها { $min_dropouts } حالات انقطاع على الأقل، مع تسجيل كيفية انتهاء كل منها؛ لدى هذه العيادة { $episodes } منها { $dropouts }.
research-dropout-refit-adopted = أُعيدت المواءمة على { $episodes } فترة رعاية منتهية ({ $dropouts } حالات انقطاع). المساحة تحت المنحنى عليها: { $default } بالأوزان الافتراضية، و{ $refit } بأوزان العيادة ({ $folds } أجزاء من التحقق المتقاطع حسب العميل). أوزان العيادة ترتّب عملاءها بالجودة نفسها على الأقل، لذا تُستخدم.
research-dropout-refit-kept = أُعيدت المواءمة على { $episodes } فترة رعاية منتهية ({ $dropouts } حالات انقطاع). المساحة تحت المنحنى عليها: { $default } بالأوزان الافتراضية، و{ $refit } بأوزان العيادة ({ $folds } أجزاء من التحقق المتقاطع حسب العميل). لا ترتّب إعادة المواءمة العملاء بشكل أفضل، لذا تبقى الأوزان الافتراضية.
research-dropout-failed = لم تتقارب آخر إعادة مواءمة؛ تبقى الأوزان الافتراضية.
research-dropout-threshold = عتبة الإنذار (الدرجة)
research-dropout-term = الحد
research-dropout-default = الوزن الافتراضي
research-dropout-in-use = الوزن المستخدم
research-dropout-hint = يُضرب كل وزن في حدّه على مقياس لوغاريتم الأرجحية؛ ويبدأ الإنذار عند العتبة. أرقام العيادات المولَّدة موجودة في الملاحظات العلمية للمشروع. تُسجَّل كيفية انتهاء الرعاية عند إنهاء فترة الرعاية.
research-repair-when = يُعدّ الجدول مع نموذج العيادة الذي يُعاد ضبطه وفق جدول زمني: تظهر المحاولات المسجّلة بعد ذلك عند إعادة الضبط التالية.
## تقرير البحث في الممارسة (issue 19)
report-heading = تقرير البحث في الممارسة
report-scope = { $courses } مسارات علاج لعملاء وافقوا على الاستخدام البحثي، و{ $therapists } معالجين، و{ $sessions } جلسة. كل مسار هو فترة رعاية واحدة.
report-computed = أُعدّ ببيانات إعادة ملاءمة نموذج الممارسة في { $when }؛ ويُعاد إعداده بعد إعادة الملاءمة التالية.
report-not-yet = يُعدّ التقرير بعد أول إعادة ملاءمة لنموذج الممارسة.
report-making = يجري إعداد تقرير البحث في الممارسة من بيانات آخر إعادة ملاءمة؛ أعد تحميل هذه الصفحة بعد دقيقة.
report-newer-coming = يجري إعداد تقرير ببيانات أحدث؛ أعد تحميل هذه الصفحة بعد دقيقة.
report-unavailable = لا توجد بيانات كافية لهذا الجزء بعد.
report-figures = الأرقام
report-interval = من { $low } إلى { $high }
report-value-ci = { $value } ({ $interval })
report-share = { $count } ({ $percent } %)
report-percent = { $percent } %
report-suppressed = أقل من { $min }
report-lagged-heading = التحالف والنتيجة، داخل العميل وبين العملاء
report-lagged-hint = هل يتنبأ التحالف بمقياس PHQ-9 في الجلسة التالية؟ يفصل النموذج بين الجلسات التي كان فيها تحالف العميل أفضل من المعتاد بالنسبة له (داخل العميل) والعملاء الذين يكون تحالفهم أفضل في المتوسط (بين العملاء)، مع ضبط درجة PHQ-9 في هذه الجلسة: نموذج مختلط بتقاطع عشوائي لكل مسار، على نهج فالكنستروم وزملائه (2017). القيم السالبة تعني درجات أقل، أي أفضل، في الجلسة التالية.
report-lagged-plot = جزءا علاقة التحالف بمقياس PHQ-9 في الجلسة التالية، مع فترات ثقة 95 %
report-lagged-axis = التغير في PHQ-9 للجلسة التالية لكل نقطة تحالف
report-lagged-fit = { $rows } زوجًا من الجلسات من { $courses } مسارًا؛ الانحراف المعياري بين المسارات { $sd_client }، والانحراف المعياري المتبقي { $sigma }.
report-term = الحد
report-estimate = التقدير
report-se = الخطأ المعياري
report-ci = فترة الثقة 95 %
report-plot-within = داخل العميل
report-plot-between = بين العملاء
report-term-intercept = التقاطع
report-term-phq9 = PHQ-9 في هذه الجلسة
report-term-within = التحالف داخل العميل (لكل نقطة فوق متوسطه)
report-term-between = التحالف بين العملاء (لكل نقطة من متوسطه فوق متوسط الممارسة)
report-therapists-heading = آثار المعالجين
report-therapists-hint = ما نسبة التباين في آخر درجة PHQ-9، بعد ضبط الدرجة الأولى، التي تقع بين المعالجين: نموذج مختلط بتقاطع عشوائي لكل معالج.
report-icc = نسبة التباين بين المعالجين (معامل الارتباط داخل الفئة): { $icc } (فترة ثقة 95 % من { $low } إلى { $high }).
report-caterpillar = أثر كل معالج بعد ضبط شدة الحالة مع فترة ثقة 95 %، مرتبًا حسب الأثر ودون أسماء. للتأمل لا للترتيب: يرى كل معالج أثره فقط.
report-caterpillar-axis = آخر PHQ-9 مقارنة بالممارسة بعد ضبط الأول (الأقل أفضل)
report-therapist-suppressed = استُبعد { $count } من المعالجين لديهم أقل من { $min } عملاء.
report-rank = الموضع
report-effect = الأثر
report-reliability-heading = ثبات المقاييس
report-reliability-hint = الاتساق الداخلي لكل مقياس متعدد البنود عبر جميع التطبيقات المكتملة: معامل ألفا كرونباخ مع فترة فِلدت 95 %، وأوميغا الكلي من تحليل عاملي بعامل واحد بطريقة الاحتمال الأقصى.
report-measure = المقياس
report-items = البنود
report-administrations = التطبيقات
report-alpha = ألفا (فترة ثقة 95 %)
report-omega = أوميغا الكلي
report-ruptures-heading = التصدعات والنتيجة
report-ruptures-hint = التحسن في PHQ-9 من أول درجة إلى آخرها، للمسارات بلا تصدع، وبكل تصدع مرمَّم، وبتصدع لم يُرمَّم ضمن مهلته، كما يكشفها تتبع التصدعات في Alliance من إجابات العميل نفسه. عبر الدراسات، وجد يوبانكس وموران وسافران (2018) أن الترميم يرتبط بالنتيجة (r = .29). ليست مقارنة سببية.
report-ruptures-plot = متوسط التحسن بحسب ما جرى للتحالف، مع فترات ثقة 95 %
report-ruptures-axis = التحسن في PHQ-9 (نقاط؛ الأعلى أفضل)
report-group = المسار
report-group-none = بلا تصدع
report-group-repaired = كل تصدع مرمَّم
report-group-unrepaired = تصدع لم يُرمَّم
report-clients = المسارات
report-mean-improvement = متوسط التحسن (نقاط)
report-undecided = استُبعد { $count } من المسارات فيها تصدع ما زال مفتوحًا.
report-outcomes-heading = النتائج إجمالًا
report-outcomes-courses = مسارات لها درجتان من PHQ-9
report-recovered = تعافوا
report-improved = تحسن موثوق (يشمل المتعافين)
report-deteriorated = تدهور موثوق
report-mean-change = متوسط التحسن (فترة ثقة 95 %)
report-effect-size = حجم الأثر قبل وبعد (متوسط التحسن على الانحراف المعياري للدرجات الأولى)
report-completeness = الجلسات التي فيها فحص للعلاقة
report-outcomes-hint = يستخدم التغير الموثوق والتعافي عتبات PHQ-9 المنشورة: تغير بمقدار 6 نقاط، ونقطة فصل عند 10.

# رموز الوصول الشخصية لواجهة JSON البرمجية (issue 19).
account-tokens = رموز الوصول إلى الواجهة البرمجية
account-tokens-note = يتيح الرمز لبرنامج استخدام واجهة Alliance البرمجية باسمك، بصلاحياتك نفسها تمامًا. يُعرض مرة واحدة فقط: احفظه كما تحفظ كلمة المرور، وألغِه حين لا تعود بحاجة إليه.
account-tokens-none = ليس لديك رموز وصول.
account-token-made = رمزك الجديد، يُعرض الآن فقط: انسخه إلى البرنامج الذي سيستخدمه.
account-token-name = الاسم
account-token-scope = الصلاحية
account-token-read = قراءة فقط
account-token-read-write = قراءة وكتابة
account-token-expires = ينتهي في
account-token-never = أبدًا
account-token-revoke = إلغاء
account-token-revoked = ملغى
account-token-expired = منتهي الصلاحية
account-token-days = عدد الأيام حتى انتهاء صلاحيته (من 1 إلى 365)
account-token-code = الرمز من تطبيق المصادقة
account-token-create = إنشاء رمز
account-token-name-invalid = أعطِ الرمز اسمًا من 1 إلى 60 حرفًا.
account-token-scope-invalid = اختر القراءة فقط، أو القراءة والكتابة.
account-token-unknown = اختر رمزًا من القائمة.
account-token-days-invalid = تتراوح مدة الرمز بين 1 و365 يومًا.
## تقرير البحث: الثقافة في العلاقة (issue 20)
report-culture-heading = التحالف والنتيجة حسب الخلفية التي وصفها العميل
report-culture-hint = المجموعات هي كلمات العملاء أنفسهم لكل فئة، بصرف النظر عن حالة الأحرف والمسافات؛ ويُحسب العميل الذي له مساران علاجيان مرتين. التطابق: هل يشعر العملاء أن معالجهم يشاركهم ما قالوا إنه مهم في علاجهم. بند الثقافة من صياغة Alliance وغير مُتحقَّق من صحته.
report-culture-scope = { $count } مسارات علاجية لعملاء وصفوا خلفيتهم.
report-culture-match = يشارك ما يهم العميل
report-culture-alliance = متوسط التحالف
report-culture-item = متوسط بند الثقافة (1-5)
report-culture-none-shown = لا توجد مجموعة كبيرة بما يكفي لعرضها.
report-culture-left-out = حُذف ما فيه أقل من { $min } مسارات لكل مجموعة: عدد المجموعات { $groups }، وعدد المسارات معاً { $courses }.
report-match-shares = يشعر أن المعالج يشاركه فيها
report-match-does-not-share = يشعر أن المعالج لا يشاركه فيها
report-match-unsure = غير متأكد
report-match-nothing-marked = لم يُحدَّد شيء على أنه مهم
partner-background = الخلفية، بكلمات العميل
partner-background-line = { $category }: { $words } (مهم في علاجه: { $matters }؛ يشعر أنك تشاركه فيه: { $shared })
partner-background-hint = قدّمه العميل في صفحته الخاصة بموافقته؛ ويغيّره أو يحذفه هناك. اسأل عنه بدلاً من الافتراض.

## The boundary log (issue 20, item 1)
nav-boundaries = الحدود
boundary-log-link = سجل الحدود
boundary-record-link = سجّل حدثًا متعلقًا بالحدود من هذه الجلسة
boundary-title = سجل الحدود
boundary-heading = سجل الحدود: { $name }
boundary-back = العودة إلى العميل
boundary-hint = تجاوز الحدود ليس انتهاكًا، وكثير منه غير ضار أو مفيد. تدوينه يتيح لك ولمشرفك رؤية النمط مبكرًا. الأعداد دعوة للتأمل وليست درجة.
boundary-hidden = سجل الحدود هو سجل المعالج الخاص عن عمله، ولا يفتحه الوصول الطارئ.
boundary-from-session = من الجلسة { $number }
boundary-kind = ماذا حدث
boundary-kind-overrun = تجاوز وقت الجلسة
boundary-kind-contact = تواصل خارج الجلسات
boundary-kind-gift = هدية
boundary-kind-self-disclosure = إفصاح عن الذات
boundary-kind-dual-relationship = علاقة مزدوجة أو متعددة
boundary-kind-physical-contact = تلامس جسدي
boundary-kind-fee-schedule = استثناء في الأجر أو الموعد
boundary-kind-other = غير ذلك
boundary-date = يوم حدوثه
boundary-details = التفاصيل (لا يُحفظ إلا ما يخص ما حدث)
boundary-overrun-minutes = التجاوز بالدقائق
boundary-channel = التواصل عبر
boundary-channel-phone = مكالمة هاتفية
boundary-channel-text = رسالة نصية
boundary-channel-email = بريد إلكتروني
boundary-channel-social-media = وسائل التواصل الاجتماعي
boundary-channel-in-person = وجهًا لوجه
boundary-channel-other = وسيلة أخرى
boundary-initiated = بدأه
boundary-by-client = بدأه العميل
boundary-by-therapist = بدأته أنت
boundary-gift = هدية
boundary-gift-given = قُدّمت للعميل
boundary-gift-received = قُدّمت من العميل
boundary-note = ملاحظة (لا يراها غيرك، ومشرفك إن عرضتها في الإشراف)
boundary-take-to-supervision = اعرضه في الإشراف
boundary-record = سجّل
boundary-minutes = { $minutes ->
    [zero] { $minutes } دقيقة زائدة
    [one] دقيقة واحدة زائدة
    [two] دقيقتان زائدتان
    [few] { $minutes } دقائق زائدة
   *[other] { $minutes } دقيقة زائدة
}
boundary-count-minutes = { $count } ({ $minutes } د)
boundary-over-time = خلال السنة الماضية، حسب الربع (الأقدم أولًا)
boundary-quarters = لكل ربع
boundary-reflect = للتأمل
boundary-prompt-growing = أكثر مؤخرًا من قبل: هل يستحق الحديث؟
boundary-prompt-recurring = عدة مرات هذا العام: نمط ننظر فيه معًا؟
boundary-events = الأحداث المسجلة
boundary-shared-events = أحداث عُرضت في الإشراف
boundary-none = لم يُسجَّل شيء.
boundary-shared = للإشراف
boundary-supervision-title = الحدود في الإشراف
boundary-supervision-hint = ما عرضه المشرف عليهم في الإشراف وكيف يتراكم مع الوقت: دعوات للحوار، لا تقييم أبدًا. الملاحظات في سجل كل عميل.
boundary-per-therapist = لكل معالج ونوع
boundary-per-client = عملاء تتكرر معهم التجاوزات أو تزداد
boundary-page-total = الصفحة { $page } · { $total } حدثًا.
boundary-error-kind = اختر ما حدث من القائمة.
boundary-error-minutes = أدخل التجاوز بعدد صحيح من الدقائق بين 1 و600.
boundary-error-channel = اختر كيف حدث التواصل.
boundary-error-initiator = اختر من بدأ التواصل.
boundary-error-gift = اختر هل قُدّمت الهدية أم تُلقّيت.
boundary-error-session = هذه الجلسة ليست من جلسات هذا العميل.
boundary-error-supervision = خيار الإشراف ليس من خيارات النموذج.

## Supervision meetings (issue 20, item 4)
nav-meetings = اجتماعات الإشراف
meeting-title = اجتماعات الإشراف
meeting-record-heading = سجّل اجتماعًا
meeting-with = مع
meeting-date = يوم الاجتماع
meeting-discussed = ما نوقش
meeting-discussed-hint = العملاء والتأملات المشتركة وأحداث الحدود المعروضة في الإشراف (تُعرض الأحدث).
meeting-agreed = ما اتُّفق عليه (يراه المشرف عليه)
meeting-actions = الإجراءات المتفق عليها
meeting-actions-hint = يعود كل إجراء إلى المعالج في صفحة ذلك العميل حتى يضع عليه علامة الإنجاز.
meeting-action-client = بخصوص
meeting-action-text = الإجراء
meeting-record = سجّل الاجتماع
meeting-list-heading = الاجتماعات، الأحدث أولًا
meeting-none = لا اجتماعات مسجلة.
meeting-action-done = أُنجز
meeting-item-session = { $name }: التأمل في الجلسة { $number }
meeting-page-total = الصفحة { $page } · { $total } اجتماعًا.
meeting-reminders = اتُّفق عليه في الإشراف
meeting-reminder = { $text } (اتُّفق عليه في { $date })
meeting-mark-done = ضع علامة الإنجاز
meeting-error-therapist = اختر أحد المشرف عليهم.
meeting-error-item = شيء مما اخترته ليس مما شاركه هذا المشرف عليه.
meeting-error-action-client = اختر العميل الذي يخصه كل إجراء.
meeting-error-action = هذا الإجراء ليس إجراءً مفتوحًا بخصوص هذا العميل.

# The fairness audit in the research report (issue 20, item 3).
report-fairness-heading = معدلات التنبيهات بحسب الخلفية التي وصفها العملاء
report-fairness-hint = كم مرة تظهر التنبيهات المبنية على الدرجات في كل مجموعة، محسوبة من جديد من هذه المسارات بقواعد Alliance نفسها. بيانات العيادة لا تحمل حقيقة الحاجة، فالفرق يدل على موضع النظر لا على أن التنبيه غير منصف. في العيادات المولّدة تبقى التنبيهات التي تقيس كل عميل على خط أساسه ضمن 5 نقاط بين المجموعات، ولا تبقى نقاط القطع الثابتة كذلك.
report-fairness-courses = المسارات
report-fairness-cell = { $share } % من المسارات؛ { $rate } لكل 100 جلسة
report-fairness-gap = أكبر فرق بين المجموعات (نقاط)
report-fairness-no-gap = لا توجد مجموعتان معروضتان
report-fairness-not-recorded = غير مسجّل
report-fairness-small-groups = مجموعات أقل من { $min } مسارات، مجمّعة
report-fairness-signal-rupture = تصدّع
report-fairness-signal-low-alliance = تحالف دون نقطة القطع
report-fairness-signal-deterioration = تدهور موثوق
report-fairness-none = لم يظهر أي تنبيه في هذه المسارات.

## Session transcripts (issue 21)
transcript-title = نص الجلسة
transcript-for-reflection = للتأمل لا للتقييم: قراءة مُرمِّز لما قيل، للتفكير فيها، وليست أبدًا درجة للمعالج.
transcript-coded-by = رمّزه { $coder }، أُرفق في { $when }.
transcript-rule-coder = مُرمِّز القواعد
transcript-trained-coder = نموذج مدرَّب ({ $model })
transcript-indicator = المؤشر
transcript-value = هذه الجلسة
transcript-threshold = عتبة MITI 4.2.1
transcript-miti-threshold = مقبول { $fair }، جيد { $good }
transcript-band-good = عند الجيد أو فوقه
transcript-band-fair = مقبول
transcript-band-below = دون المقبول
transcript-reflection-to-question = الانعكاسات لكل سؤال
transcript-complex-reflections = الانعكاسات المركّبة (نسبة من الانعكاسات)
transcript-open-questions = الأسئلة المفتوحة (نسبة من الأسئلة)
transcript-change-talk = حديث التغيير (نسبة من حديث التغيير والثبات)
transcript-therapist-talk = نصيب المعالج من الكلمات
transcript-empathy-emotional = التعاطف: ردود الفعل العاطفية (نسبة من الردود)
transcript-empathy-interpretations = التعاطف: التفسيرات (نسبة من الردود)
transcript-empathy-explorations = التعاطف: الاستكشافات (نسبة من الردود)
transcript-behind = { $count ->
    [0] لم تُحسب أي مداخلة
   *[other] المداخلات المحسوبة ({ $count })
}
transcript-markers = لحظات تصدّع محتملة
transcript-heuristic = استدلالي، غير مُتحقَّق منه
transcript-no-markers = لم يُطلَق أي مؤشر.
transcript-withdrawal = انسحاب
transcript-confrontation = مواجهة
transcript-utterances = المداخلات { $span }
transcript-rule = القاعدة { $rule }
transcript-utterance-list = النص ({ $count } مداخلة، مع رموزها)
transcript-code-reflection = انعكاس
transcript-code-question = سؤال
transcript-code-therapist-input = معلومة
transcript-code-other = أخرى
transcript-code-simple = بسيط
transcript-code-complex = مركّب
transcript-code-open = مفتوح
transcript-code-closed = مغلق
transcript-code-change-talk = حديث التغيير
transcript-code-neutral-talk = حديث محايد
transcript-code-sustain-talk = حديث الثبات
transcript-code-empathy = التعاطف: ردود الفعل العاطفية { $er }، التفسيرات { $ip }، الاستكشافات { $ex }
transcript-level-0 = لا شيء
transcript-level-1 = ضعيف
transcript-level-2 = قوي
transcript-delete = احذف النص
transcript-none = لا يوجد نص مرفق.
transcript-attach = أرفق نصًا
transcript-replace = استبدل النص
transcript-file = ملفه كما صدّرته أداة مكالمة الفيديو (‎.vtt أو ‎.srt أو ‎.txt)
transcript-paste = أو الصق نصه
transcript-one-of = اختر ملفًا أو الصق النص، لا كليهما.
transcript-both = اخترت ملفًا ولصقت نصًا: أعطِ واحدًا منهما فقط، ولم يُقرأ شيء.
transcript-formats = WebVTT أو SRT أو أسطر «المتحدث: النص»؛ بحد أقصى 2 ميغابايت.
transcript-read = اقرأ النص
transcript-speakers-title = من هو من في النص
transcript-speakers-explain = حدّد إن كان كل متحدث هو المعالج أو العميل. لا يُحفظ شيء قبل أن تؤكد.
transcript-confirm = رمّز النص وأرفقه
transcript-back = العودة إلى الجلسة
transcript-refused = لم يُرفق النص: { $why }
transcript-unplaced = حدّد إن كان { $speaker } هو المعالج أو العميل.
transcript-bad-role = لا يكون المتحدث إلا المعالج أو العميل.
transcript-trend-title = مؤشرات النصوص حسب الجلسة
transcript-session = الجلسة
transcript-sessions = الجلسات
transcript-median = الوسيط
transcript-range = الأدنى – الأعلى
transcript-patterns-title = مؤشرات النصوص عبر جلسات عملائك
transcript-client-reported = في استبيان هذه الجلسة أشار العميل إلى توتر في العلاقة.
transcript-client-not-reported = في استبيان هذه الجلسة لم يُشر العميل إلى توتر في العلاقة.
transcript-client-no-check = لم يُجب العميل بعد على استبيان لهذه الجلسة.
