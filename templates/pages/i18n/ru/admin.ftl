# Рабочее место администратора.
admin-title = Администрирование
admin-yearly = Ежегодные данные
admin-yearly-missing = Не хватает данных на этот или следующий год: сроки и суммы будут считаться неверно. Добавьте:
admin-yearly-data = Данные
admin-yearly-year = Год
admin-yearly-state = Состояние
yearly-kind-mrp = МРП
yearly-kind-calendar = Производственный календарь
yearly-presence-present = есть
yearly-presence-assumed = предварительные (допущение)
yearly-presence-missing = нет
admin-users = Пользователи и роли
admin-users-hint = Учётные записи сотрудников по услугодателям.
admin-outbox = Почта: очередь и недоставленные
admin-dead-count = { $count ->
    [one] { $count } недоставленное письмо
    [few] { $count } недоставленных письма
   *[many] { $count } недоставленных писем
 }
admin-payments = Сверка платежей
admin-payments-hint = Выписка шлюза за день против наших платежей.
admin-quality = Оценка качества услуг
admin-quality-hint = Ответы на анкету, с диаграммами.
admin-user-name = ФИО
admin-user-role = Роль
admin-user-provider = Услугодатель
admin-user-active = Активна
admin-user-change = Изменить
admin-user-iin = ИИН
admin-user-add = Добавить сотрудника
admin-user-added = Учётная запись { $login } создана
admin-user-password-once = Пароль показан один раз: передайте его сотруднику.
admin-active = активна
admin-disabled = отключена
admin-all = все
admin-outbox-status = Состояние
admin-outbox-kind = Письмо
admin-outbox-attempts = Попыток
admin-outbox-error = Последняя ошибка
admin-outbox-action = Действие
admin-outbox-empty = Писем нет.
admin-requeued = Письмо снова поставлено в очередь.
admin-requeue = Отправить снова
outbox-pending = в очереди
outbox-sent = отправлено
outbox-dead = не доставлено
admin-day = День
admin-statement-lines = Строк в выписке шлюза
admin-ledger-payments = Наших платежей
admin-gateway-id = Платёж в шлюзе
admin-note = Примечание
recon-matched = Совпали
recon-amount_mismatch = Сумма не совпадает
recon-status_mismatch = Статус не совпадает
recon-unattached = Без заявки
recon-missing_locally = Нет у нас
recon-duplicate_at_gateway = Дубли в шлюзе
recon-missing_at_gateway = Нет в шлюзе
recon-not_settled = Не зачислены
admin-from = С
admin-to = По
admin-responses = { $count ->
    [one] { $count } ответ
    [few] { $count } ответа
   *[many] { $count } ответов
 }
admin-question = Вопрос
quality-chart = Доли ответов по вопросам анкеты
csv-export = Выгрузить CSV
filter = Показать
save = Сохранить
yes = да
no = нет
