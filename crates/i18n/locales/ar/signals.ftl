# الإشارات: ما يراه المعالج، كل إشارة مشروحة بكلمات بسيطة مع إجراءات مقترحة. الإجراءات من صياغة المشروع نفسه
# وليست إرشادات تم التحقق من صلاحيتها.

## الشروح
signal-then = { $first } { $second }
signal-for-measure = { $measure }: { $explanation }
signal-risk = في الجلسة { $session } قال العميل إنه راودته أفكار بأنه سيكون أفضل حالاً لو مات أو بإيذاء نفسه { $how } (البند 9 من PHQ-9 = { $item9 }).
item9-1 = في عدة أيام
item9-2 = في أكثر من نصف الأيام
item9-3 = كل يوم تقريباً
signal-discrepancy = في الجلسة { $session } قيّم المعالج التحالف بـ { $therapist } وقيّمه العميل بـ { $client }: تقييم العميل أقل من تقييم المعالج بـ { $gap } نقطة (تُنبّه العيادة إلى الفروق البالغة { $threshold } أو أكثر).
signal-discrepancy-culture = في الجلسة { $session } قيّم المعالج في تأمله شعور العميل بأن خلفيته وقيمه مفهومة ومحترمة بـ { $therapist } وقيّمه العميل بـ { $client } (1-5): أقل مما ظن المعالج بـ { $gap } نقطة (تُنبّه العيادة إلى الفروق البالغة { $threshold } أو أكثر). البند من صياغة Alliance وغير مُتحقَّق من صحته.
signal-missed-sessions = { $missed ->
    [one] تغيّب العميل عن الجلسة الأخيرة.
    [two] تغيّب العميل عن آخر جلستين متتاليتين.
    [few] تغيّب العميل عن آخر { $missed } جلسات متتالية.
   *[other] تغيّب العميل عن آخر { $missed } جلسة متتالية.
}
signal-missed-checks = لم يُستكمل أي استبيان للعلاقة (استبيان العميل بعد الجلسة) في آخر { $missed } جلسات متتالية (تغيّب عن { $sessions } منها).
signal-rupture = تصدّع محتمل في الجلسة { $onset }: { $how }. { $status }
signal-rupture-of-kind = تصدّع محتمل في الجلسة { $onset } ({ $kind }): { $how }. { $status }
rupture-kind-withdrawal = انسحب العميل
rupture-kind-confrontation = اعترض العميل
rupture-status-not-known = لا يُعرف إن كان قد أُصلح: لم يُقرأ أي استبيان للعلاقة منذ الجلسة { $last }.
rupture-status-open = لم يُصلح بعد.
rupture-status-unrepaired = لم يُصلح حتى الجلسة { $session }.
rupture-status-score-returned = عادت درجة التحالف إلى مستواها السابق في الجلسة { $session }.
rupture-status-score-at-cutoff = عادت درجة التحالف إلى درجة الفصل في الجلسة { $session }.
rupture-status-talked-through = قال العميل إنه نوقش في الجلسة { $session }.
rupture-status-therapist-repaired = قال المعالج إنه عولج وأُصلح في الجلسة { $session }.
rupture-first-check = حدث ذلك في أول استبيان للعميل: لا توجد درجة سابقة للمقارنة بها.
rupture-rules-and = { $first }؛ { $rest }
rupture-accounts-and = { $first }، { $rest }
rupture-rule-dip-from = انخفضت درجة التحالف من نحو { $from } إلى { $to }، أكثر من التقلبات المعتادة لدى هذا العميل
rupture-rule-dip = انخفضت درجة التحالف أكثر من التقلبات المعتادة لدى هذا العميل
rupture-rule-sudden-loss = انخفاض مفاجئ ودائم في درجة التحالف
rupture-rule-below-cutoff = كانت درجة التحالف دون درجة الفصل الخاصة بالأداة
rupture-rule-reported = أُبلغ عن تصدّع بعد الجلسة
rupture-account-client = أبلغ العميل عن تصدّع بعد الجلسة { $session }
rupture-account-client-talked = أبلغ العميل عن تصدّع بعد الجلسة { $session } وقال إنه نوقش
rupture-account-therapist = أبلغ المعالج عن تصدّع بعد الجلسة { $session }
rupture-account-therapist-repaired = أبلغ المعالج عن تصدّع بعد الجلسة { $session } وقال إنه أُصلح
signal-change = من { $pre } إلى { $post } بحلول الجلسة { $session }: { $words }.
signal-change-recovered = تحسّن العميل بشكل موثوق وانتقل إلى النطاق غير السريري
signal-change-improved = تحسّن العميل بأكثر مما يفسّره خطأ القياس
signal-change-deteriorated = ساءت حال العميل بأكثر مما يفسّره خطأ القياس
signal-change-harmed = ساءت حال العميل بشكل موثوق وانتقل من النطاق غير السريري إلى النطاق السريري
signal-not-on-track = في الجلسة { $session } كانت الدرجة { $observed }؛ وكان المتوقع للعملاء الذين بدأوا مثل هذا العميل قرابة { $expected }، و{ $boundary } هي حدّ النطاق المعتاد.
signal-not-on-track-in-a-row = أصبحت { $k } درجات متتالية الآن خارج ذلك الحد.
signal-not-on-track-default = في الجلسة { $session } كانت درجة PHQ-9 هي { $latest }، مقابل { $intake } في أول درجة: ليس هذا الانخفاض البالغ { $fall } نقاط الذي يُعدّ تحسناً موثوقاً. لا يوجد لدى العيادة مسار متوقع خاص بها بعد، لذا يستخدم Alliance قاعدة بسيطة: عدم حدوث تحسّن موثوق بحلول الجلسة { $by } (قيمة افتراضية للمشروع) يعني أن الحالة ليست على المسار.
signal-low-alliance = في الجلسة { $session } قيّم العميل التحالف بـ { $score }، وهو دون عتبة القلق البالغة { $cutoff }. العتبة مؤقتة: لم تحدد أي دراسة درجة فصل لهذا الاستبيان.
low-alliance-since-one = في الجلسة { $start } قيّم العميل التحالف بـ { $latest }
low-alliance-since-many = منذ الجلسة { $start } كانت تقييمات العميل للتحالف عند عتبة القلق أو قريبة منها (أدناها { $lowest }، وآخرها { $latest } في الجلسة { $latestSession })
signal-low-alliance-episode = { $since }، دون عتبة القلق البالغة { $cutoff }. العتبة مؤقتة: لم تحدد أي دراسة درجة فصل لهذا الاستبيان. تغطي إشارة واحدة هذه الفترة حتى تكون { $clear } تقييمات متتالية عند العتبة أو فوقها.
signal-after-risk = أجاب العميل عن البند 9 من PHQ-9 بأكثر من 0 في الجلسة { $session } ولم يُجب عنه منذ ذلك الحين.
signal-stopped-asking = طلب العميل ألا تُرسل إليه استبيانات بعد جلساته. لا يمكن إنشاء رابط استبيان حتى يعود للبدء من جديد، من صفحته الخاصة أو من رابط ما زال لديه.

## الإجراءات المقترحة
action-withdrawal-name = سمِّ بلطف ما لاحظته (إجابات أقصر، تغيير الموضوع، موافقة سريعة أكثر من اللازم) واسأل عمّا كان يدور في نفس العميل.
action-withdrawal-invite = ادعُ العميل إلى قول ما يفكر فيه ويشعر به تجاهك أو تجاه العلاج، واجعل قول شيء ناقد أمراً آمناً.
action-withdrawal-misunderstood = تحقق مما إذا كان شيء قلته أو اقترحته قد أُسيء فهمه، ووضّحه.
action-withdrawal-pattern = إذا وجد العميل ذلك مفيداً، فانظرا معاً فيما إذا كان هذا الانسحاب يحدث في علاقات أخرى أيضاً.
action-confrontation-own-part = اعترف بدورك فيما حدث من خطأ، إن رأيت لك دوراً، دون أن تدافع عن نفسك.
action-confrontation-objection = خذ اعتراض العميل بجدية وقل إنه منطقي من موقعه.
action-confrontation-task = اتفقا معاً على مهمة أو هدف مختلف، أو اشرح مرة واحدة لماذا اقترحت المهمة؛ لا تُلحّ على المبررات ما دامت العلاقة متوترة (فقد ارتبط الإلحاح بنتائج أسوأ).
action-confrontation-more = ادعُ العميل إلى قول المزيد عمّا لا ينفعه.
action-rupture-ask = اسأل العميل كيف شعر في الجلسة الأخيرة، وانتبه لأي انسحاب أو اعتراض.
action-rupture-invite = ادعُ العميل إلى قول ما يفكر فيه ويشعر به تجاهك أو تجاه العلاج.
action-rupture-own-part = إن حدث خطأ ما، فاعترف بدورك إن رأيت لك دوراً، واتفقا معاً على كيفية المتابعة.
action-unrepaired-supervision = فكّر في عرض هذا التصدّع في الإشراف.
action-off-track-alliance = راجع التحالف: اسأل العميل كيف يعيش العمل معك.
action-off-track-motivation = راجع الدافعية: ماذا يريد العميل من العلاج الآن؟
action-off-track-support = راجع الدعم الاجتماعي: من يساعد العميل، وهل تغيّر ذلك؟
action-off-track-goals = راجع الأهداف: هل ما زلتما تعملان على ما يهم العميل؟
action-off-track-life-events = راجع أحداث الحياة منذ الجلسات الأخيرة (فقدان، نزاع، عمل، صحة، أدوية).
action-off-track-formulation = راجعا الصياغة معاً: هل ما زالت تفسّر ما يُبقي الصعوبات قائمة؟
action-off-track-referral = فكّر في مراجعة الأدوية أو في الإحالة (طبيب العميل، طبيب نفسي، خدمة أكثر كثافة).
action-off-track-chart = اعرض على العميل الرسم البياني لدرجاته وتحدثا عنه معاً.
action-off-track-risk = أعد تقييم الخطر: اسأل مباشرة عن أفكار الموت أو إيذاء النفس، أياً كانت الإجابة السابقة عن البند 9.
action-discrepancy-feedback = اطلب من العميل رأيه في الجلسات الأخيرة؛ فقد يرى العمل بطريقة مختلفة عنك.
action-discrepancy-look-back = راجع الجلسة بحثاً عن علامات انسحاب أو اعتراض.
action-discrepancy-supervision = فكّر في مناقشة هذا الفرق في الإشراف.
action-low-alliance-provisional = تعامل مع العتبة على أنها مؤقتة: انظر إلى درجات العميل نفسه عبر الزمن، لا إلى الخط وحده.
action-low-alliance-ask = اسأل العميل كيف يعيش العمل المشترك، وما الذي يجعله أكثر فائدة.
action-low-alliance-goals = تحقق من أنكما ما زلتما متفقين على الأهداف وعلى طريقة العمل نحوها.
action-low-alliance-supervision = فكّر في عرض الحالة في الإشراف.
action-disengagement-contact = تواصل مع العميل لتسأله عن حاله وما إذا كانت المواعيد ما زالت تناسبه.
action-disengagement-schedule = اسأل إن كانت الاستبيانات مفيدة أم عبئاً، وعدّل الجدول.
action-stopped-talk = تحدث مع العميل عن ذلك في الجلسة القادمة: ما الذي جعل الأسئلة غير مرغوب فيها، وهل يناسبه عدد أقل منها (جدول الحلقة العلاجية) أو لا شيء لفترة.
action-stopped-respect = احترم الاختيار: يستمر العلاج كما كان، ويمكن للعميل أن يعود لتلقي الأسئلة بنفسه.
action-after-risk-contact = تواصل مع العميل اليوم: قال إن لديه أفكاراً عن الموت أو إيذاء النفس في جلسة حديثة، ولم يُرَ أو يُسمع عنه منذ ذلك الحين.
action-after-risk-recheck = أعد تقييم الخطر حين تصل إليه (أفكار الموت أو إيذاء النفس، والخطط والوسائل)، واتبع بروتوكول الخطر في العيادة إن لم تتمكن من الوصول إليه.
action-risk-protocol = اتبع بروتوكول الخطر في العيادة الآن.
action-risk-ask = اسأل العميل مباشرة عن أفكار الموت أو إيذاء النفس، والخطط والوسائل.

## مصدر المسار المتوقع
etr-practice-recent = المسار المتوقع مُطابَق على بيانات PHQ-9 في هذه العيادة: أحدث { $clients } من أصل { $eligible } عميلاً لديهم ثلاث درجات أو أكثر ({ $observations } درجة نتائج بعد التقييم الأولي).
etr-practice = المسار المتوقع مُطابَق على بيانات PHQ-9 في هذه العيادة ({ $clients } عميلاً، و{ $observations } درجة نتائج بعد التقييم الأولي).
etr-default-rule = لا يوجد مسار متوقع بعد. تُطبَّق القاعدة الافتراضية: ليست الحالة على المسار إذا لم تنخفض درجة PHQ-9 بمقدار { $fall } نقاط (تحسّن موثوق، NHS Talking Therapies) بحلول الجلسة { $session } (قيمة افتراضية للمشروع، وليست معياراً سريرياً)، لأن { $reason }.
etr-reason-not-converged = المطابقة على بيانات العيادة لم تتقارب
etr-reason-singular = المطابقة على بيانات العيادة مفردة (الانحراف المعياري للتقاطع { $intercept }، وللميل { $slope }، والارتباط { $correlation }): لا يمكن الوثوق بنطاقاتها بعد
etr-reason-not-fitted = تعذّرت مطابقة بيانات العيادة ({ $error })
etr-reason-too-few = لدى العيادة { $eligible } عميلاً لديهم ثلاث درجات PHQ-9 أو أكثر، وتحتاج إلى { $needed }
etr-fit-usable = المطابقة: { $clients } عميلاً، و{ $scores } درجة نتائج، غير مفردة؛ الارتباط بين التقاطع والميل { $correlation }، والانحراف المعياري للبواقي { $residual } نقطة.
etr-fit-unusable = المطابقة: { $clients } عميلاً، و{ $scores } درجة نتائج، مفردة أو غير متقاربة؛ الارتباط بين التقاطع والميل { $correlation }، والانحراف المعياري للبواقي { $residual } نقطة.
etr-number = { $value }
etr-none = لا يوجد
etr-built = أُنشئ في { $at } UTC.

## Dropout warning (issue 18)
signal-dropout-risk = إنذار مبكر بالانقطاع عن العلاج: درجة { $percent } ٪ (يبدأ الإنذار عند { $threshold } ٪)، ويعود معظمها إلى { $main }. هذه الدرجة قيمة افتراضية للمشروع ضُبطت على ممارسات مولَّدة، وهي غير مُتحقَّق منها على بيانات سريرية حقيقية.
dropout-feature-alliance-trend = تراجع التحالف العلاجي
dropout-feature-alliance-shortfall = تحالف علاجي أضعف من المعتاد في هذه الممارسة
dropout-feature-open-ruptures = تصدعات لم تُرمَّم بعد
dropout-feature-missed-checks = استبيانات لم يُجَب عنها
dropout-feature-missed-sessions = جلسات فائتة
dropout-feature-none = لا علامة بعينها
action-dropout-ask = اسأل العميل كيف يرى سير العلاج، وهل ما زال يناسب ما جاء من أجله.
action-dropout-missed = تحدث عن الجلسات أو الاستبيانات الفائتة بصراحة ودون لوم، واتفقا على ما يسهّل الحضور.
action-dropout-alliance = راجع التحالف العلاجي مع العميل (الأهداف والمهام والعلاقة)، وفكّر في عرض الأمر في الإشراف.
client-signal-dropout-risk = إنذار بالانقطاع
caseload-badge-dropout-risk = قد ينقطع
signal-dropout-risk-refit = إنذار مبكر بالانقطاع عن العلاج: درجة { $percent } ٪ (يبدأ الإنذار عند { $threshold } ٪)، ويعود ذلك في الغالب إلى { $main }. أُعيدت مواءمة الأوزان على فترات الرعاية المنتهية في هذه العيادة؛ ولا تزال الدرجة غير مُتحقق منها كأداة سريرية.
