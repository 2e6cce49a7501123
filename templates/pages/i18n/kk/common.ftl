# Беттердің жалпы хабарлары: безендіру, кіру, қателер, рөлдер, мәртебелер, мерзімдер.
skip-to-content = Мазмұнға өту
nav-label = Басты мәзір
nav-services = Қызметтер
nav-my-requests = Менің өтінімдерім
nav-queue = Кезек
nav-intake = Өтініштерді қабылдау
nav-clinic-day = Емхана күні
nav-admin = Әкімшілік
nav-notifications = Хабарламалар
nav-unread = { $count } оқылмаған
nav-registry = Лицензиялар тізілімі
sign-in = Кіру
sign-out = Шығу
footer-text = Ruqsat — мемлекеттік қызметтер онлайн. Әр нәтиже — тексеруге болатын қол қойылған PDF.

error-title = Сұраныс орындалмады
error-not-found-title = Бет табылмады
error-forbidden-title = Қол жеткізуге тыйым салынған
error-server-title = Сервердегі қате
error-code = Қате коды: { $code }
error-home = Басты бетке

login-title = Ruqsat жүйесіне кіру
login-login = Логин
login-password = Құпиясөз
login-wrong = Логин немесе құпиясөз қате.
login-throttled = Кіруге сәтсіз әрекеттер тым көп. { $minutes } минуттан кейін қайталаңыз.
login-throttled-seconds = Кіруге сәтсіз әрекеттер тым көп. { $seconds } секундтан кейін қайталаңыз.
login-demo-title = Демонстрациялық пайдаланушылар
login-demo-hint = Демо режимі: осы пайдаланушылардың кез келгенімен кіріңіз.
login-demo-who = Кім

role-applicant = Өтініш беруші
role-con_operator = ХҚКО операторы
role-official = Көрсетілетін қызметті берушінің қызметкері
role-commission_member = Комиссия мүшесі
role-clinic_registrar = Емхана тіркеушісі
role-admin = Әкімші


deadline-same_day = жүгінген күні
deadline-working_days = { $n } жұмыс күні
deadline-calendar_days = { $n } күнтізбелік күн
deadline-working_hours = { $n } жұмыс сағаты

list-more = Тағы көрсету

register-title = Тіркелу
register-lead = Өтініш берушінің есептік жазбасы ЭЦҚ бойынша жасалады: ЖСН (және БСН) сертификаттан алынады.
register-password-hint = Кемінде 12 таңба.
register-email = Электрондық пошта (хабарламалар үшін)
register-sign = ЭЦҚ-мен қол қойыңыз
register-upload-hint = Браузерде қол қоймай: осы мәтінге бөлек CMS қолтаңбасын қойып (ruqsat sign --payload файл --out қолтаңба.p7s), оны жүктеңіз.
register-button = Тіркелу
register-have-account = Есептік жазбаңыз бар ма? Кіру
register-link = Есептік жазба жоқ па? ЭЦҚ арқылы тіркелу
register-done = Есептік жазба жасалды. Жаңа құпиясөзбен кіріңіз.
