# Публичные страницы без входа: проверка документа (/verify) и реестр лицензий (/registry).

verify-title = Проверка документа
verify-lead = Убедитесь, что документ Ruqsat подлинный и действует: откройте ссылку из его QR-кода или введите идентификатор.
verify-form-title = Идентификатор документа
verify-another = Проверить другой документ
verify-id-label = Идентификатор документа или ссылка из QR-кода
verify-id-hint = Идентификатор напечатан под QR-кодом на каждом документе Ruqsat: 22 латинские буквы и цифры.
verify-check = Проверить
verify-not-found-hint = Проверьте ссылку из QR-кода или идентификатор под ним. Здесь проверяются только документы, выданные в Ruqsat.
verify-registry-link = Найти лицензию в реестре лицензий
verify-status = Статус документа
verify-status-valid-note = Документ действует.
verify-status-superseded-note = Документ переоформлен: действует его новая версия.
verify-status-suspended-note = Действие документа приостановлено.
verify-status-terminated-note = Действие документа прекращено.
verify-status-since = Дата статуса: { $when }
verify-reason = Основание
verify-superseded-by = Новая версия
verify-facts = Сведения о документе
verify-document-id = Идентификатор
verify-request = Заявка
verify-issued = Выдан
verify-signed-by = Подписал
verify-serial = Серийный номер сертификата: { $serial }
verify-size-label = Размер файла
verify-size = { $bytes } { $bytes ->
    [one] байт
    [few] байта
   *[many] байт
 }
verify-compare-title = Тот ли у вас файл
verify-compare = Вычислите SHA-256 PDF-файла, который у вас на руках, и сравните его с указанным выше: совпадение значит, что это тот самый подписанный файл.
verify-offline = Подпись и статус можно проверить и без браузера:
verify-no-personal = На этой странице нет персональных данных владельца документа.

doc-kind-licence = Лицензия на медицинскую деятельность
doc-kind-licence_reissued = Лицензия на медицинскую деятельность (переоформленная)
doc-kind-licence_duplicate = Лицензия на медицинскую деятельность (дубликат)
doc-kind-licence_appendix = Приложение к лицензии на медицинскую деятельность
doc-kind-appointment_ticket = Справка о записи на приём к врачу
doc-kind-home_call_confirmation = Справка о вызове врача на дом
doc-kind-intake_receipt = Расписка о приёме документов
doc-kind-payment_receipt = Квитанция об оплате государственной услуги
doc-kind-phc_attachment = Талон о прикреплении к медицинской организации, оказывающей первичную медико-санитарную помощь
doc-kind-refusal = Мотивированный отказ в оказании государственной услуги
doc-kind-support_decision = Уведомление об оформлении документов на материальное обеспечение детей-инвалидов, обучающихся и воспитывающихся на дому
doc-kind-support_refusal = Мотивированный отказ в оформлении документов на материальное обеспечение детей-инвалидов, обучающихся и воспитывающихся на дому

registry-title = Реестр лицензий
registry-lead = Открытый реестр лицензий на медицинскую деятельность: выданные, переоформленные, приостановленные, возобновлённые и прекращённые лицензии. Ищите по номеру лицензии или по БИН/ИИН лицензиата.
registry-by-number = По номеру лицензии
registry-number-label = Номер лицензии
registry-number-hint = Например, 26MH000001.
registry-number-invalid = Номер лицензии состоит только из латинских букв и цифр, например 26MH000001.
registry-by-holder = По лицензиату
registry-holder-label = БИН или ИИН лицензиата
registry-holder-hint = 12 цифр; контрольный разряд проверяется.
registry-search = Найти
registry-one-field = Заполните одно поле: номер лицензии или БИН/ИИН лицензиата.
registry-found = { $count ->
    [one] Найдена { $count } лицензия
    [few] Найдено { $count } лицензии
   *[many] Найдено { $count } лицензий
 }
registry-none = По этому запросу лицензий в реестре нет.
registry-licence = Лицензия № { $number }
registry-kind = Вид
registry-holder = Лицензиат
registry-bin = БИН { $bin }
registry-iin = ИИН { $iin }
registry-status = Статус
registry-issued = Дата выдачи
registry-current = Действующая версия
registry-reissued-on = переоформлена { $date }
registry-verify = Проверить документ
registry-history = История лицензии ({ $count })
registry-event-issued = Выдана
registry-event-reissued = Переоформлена
registry-event-duplicate_issued = Выдан дубликат
registry-event-suspended = Приостановлена
registry-event-resumed = Возобновлена
registry-event-terminated = Прекращена
registry-event-document = документ
registry-verify-by-id = Проверить документ по идентификатору или ссылке из QR-кода
