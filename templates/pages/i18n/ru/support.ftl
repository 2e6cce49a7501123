# Кабинет заявителя: уведомления, анкета качества, заявка на материальное обеспечение.
notifications-title = Уведомления
notifications-unread = { $count ->
    [one] { $count } непрочитанное уведомление
    [few] { $count } непрочитанных уведомления
   *[many] { $count } непрочитанных уведомлений
}
notifications-all-read = Все уведомления прочитаны.
notifications-mark-all-read = Отметить все как прочитанные
notifications-new = новое
notifications-open = Открыть заявку { $number }
notifications-empty = Уведомлений пока нет. Здесь появятся сообщения об изменении статуса ваших заявок.
notification-kind-status_changed = Статус изменён
notification-kind-deadline_extended = Срок продлён
notification-kind-result_ready = Результат готов

questionnaire-title = Оцените качество услуги
questionnaire-lead = Ответьте на вопросы: ваша оценка помогает улучшать услугу. Анкета заполняется один раз.
questionnaire-fix = Ответьте на каждый вопрос.
questionnaire-answer-required = Выберите один из ответов.
questionnaire-send = Отправить ответы
questionnaire-thanks = Спасибо! Ваши ответы приняты.
questionnaire-answered-at = Ответы даны: { $at }
satisfaction-not_satisfied = Не удовлетворён
satisfaction-partly_satisfied = Частично удовлетворён
satisfaction-satisfied = Удовлетворён

field-required-when = Обязательно, если в поле «{ $field }» выбрано «{ $option }».
submit-missing-first = { $count ->
    [one] Чтобы отправить заявку, сначала приложите недостающий документ.
   *[other] Чтобы отправить заявку, сначала приложите недостающие документы ({ $count }).
}
