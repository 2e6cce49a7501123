# Действия заявителя на странице заявки: документы, отправка, оплата, подпись.
upload-title = Документы
upload-missing = { $count ->
    [one] Осталось приложить { $count } документ:
    [few] Осталось приложить { $count } документа:
   *[many] Осталось приложить { $count } документов:
 }
upload-complete = Все обязательные документы приложены.
upload-type = Какой документ
upload-needed = нужен
upload-file = Файл
upload-hint = PDF, JPEG или PNG, до { $mb } МБ.
upload-button = Загрузить
upload-progress = Загружено
upload-failed = Файл не загружен. Попробуйте ещё раз.
submit-title = Отправка
submit-hint-paid = Когда форма заполнена и документы приложены, отправьте заявку, затем оплатите услугу и подпишите заявку ЭЦП.
submit-hint-free = Когда форма заполнена и документы приложены, отправьте заявку и подпишите её ЭЦП.
submit-button = Отправить заявку
pay-title = Оплата
pay-hint = Стоимость услуги — { $amount }. Оплата проходит на странице платёжного шлюза; после неё вы вернётесь сюда.
pay-button = Оплатить
pay-continue = Продолжить оплату
sign-title = Подпись ЭЦП
sign-hint = Подпишите заявку своей ЭЦП: после проверки подписи заявка будет зарегистрирована.
sign-button = Подписать
sign-lead = Подпись проверяется: срок действия сертификата, отзыв и совпадение ИИН/БИН с заявкой.
sign-lead-employee = Вы подписываете как сотрудник, принявший заявление: ИИН в сертификате должен быть вашим.
sign-browser-title = Подписать в браузере
sign-browser-hint = Выберите файл ключа (.p12) и введите пароль. Ключ не покидает ваш браузер.
sign-p12 = Файл ключа (.p12)
sign-p12-password = Пароль ключа
sign-browser-button = Подписать и отправить
sign-upload-title = Или загрузите готовую подпись
sign-upload-hint = Отсоединённая подпись CMS, созданная программой: ruqsat sign --payload … --out … (данные для подписи: заявка { $number }).
sign-upload-file = Файл подписи (CMS)
sign-upload-button = Отправить подпись
sign-msg-reading = Читаем ключ…
sign-msg-wrong-password = Неверный пароль ключа или файл не является ключом .p12.
sign-msg-signing = Подписываем…
sign-msg-sending = Отправляем подпись…
sign-msg-no-file = Выберите файл ключа.
sign-msg-bad-file = Файл не является ключом .p12 или повреждён.
sign-msg-unsupported-key = Ключ не поддерживается: нужен RSA от 2048 бит или ECDSA P-256.
sign-msg-failed = Подписать не удалось.
sign-msg-done = Подпись принята.
sign-demo-key = Демо-режим: ваш демонстрационный ключ, пароль ruqsat-demo.
sign-demo-key-link = Скачать ключ (.p12)
withdraw-button = Отозвать заявку
