# Кабинет заявителя: каталог услуг и заявки.
services-title = Государственные услуги
services-lead = Выберите услугу: условия, стоимость, срок и документы — как в стандарте услуги.
service-provider = Услугодатель
service-fee = Стоимость
service-free = бесплатно
service-deadline = Срок
service-conditions = Условия
service-who = Кто может обратиться
service-result = Результат
service-channels = Как подать
service-variants = Виды услуги
service-variant = Вид
service-documents = Документы: { $channel }
service-no-documents = Документы не нужны.
service-apply = Подать заявку
service-basis = Основание (пункты стандарта)
doc-optional = при наличии
doc-original = оригинал для сверки
applicant-kind-person = физическое лицо
applicant-kind-legal_entity = юридическое лицо

requests-title = Мои заявки
requests-new = Новая заявка
requests-empty = У вас пока нет заявок.
request-number = Номер
request-service = Услуга
request-state = Статус
request-due = Срок исполнения
request-created = Создана
request-heading = Заявка { $number }
request-summary = Сводка
request-registered = Зарегистрирована
request-extended = срок продлён
request-due-after-registration = начнётся после регистрации
request-documents = Результаты и документы
request-verify = проверить подлинность
request-download = скачать PDF
request-attachments = Приложенные документы
request-history = История

apply-title = Заявка: { $service }
apply-choose-variant = Что вам нужно?
apply-next = Далее
apply-change-variant = выбрать другое
apply-as = От чьего имени
apply-as-person = Как физическое лицо (по ИИН)
apply-as-company = От организации, БИН { $bin }
apply-provider = Кто рассмотрит заявку
apply-choose = — выберите —
apply-fix-fields = { $count ->
    [one] Исправьте { $count } поле:
    [few] Исправьте { $count } поля:
   *[many] Исправьте { $count } полей:
 }
apply-required-note = Поля со звёздочкой (*) обязательны.
apply-create = Сохранить и перейти к документам
field-required = Заполните это поле.
field-hint-text = { "" }
field-hint-date = Дата, например 15.03.2026.
field-hint-date_time = Дата и время.
field-hint-iin = ИИН: 12 цифр.
field-hint-bin = БИН: 12 цифр.
field-hint-email = Например, name@example.kz.
field-hint-phone = Например, +7 701 234 56 78.
field-hint-decimal = Число, например 1500.50.
field-hint-iban = IBAN: KZ и 18 знаков.
field-hint-select = { "" }
field-hint-multi_select = Отметьте все подходящие.
field-hint-boolean = { "" }
field-hint-document_number = Номер документа, как в нём написано.
