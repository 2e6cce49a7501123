# Общие сообщения страниц: оформление, вход, ошибки, роли, статусы, сроки.
skip-to-content = Перейти к содержанию
nav-label = Главное меню
nav-services = Услуги
nav-my-requests = Мои заявки
nav-queue = Очередь
nav-intake = Приём заявлений
nav-clinic-day = День поликлиники
nav-admin = Администрирование
nav-notifications = Уведомления
nav-unread = { $count ->
    [one] { $count } непрочитанное
    [few] { $count } непрочитанных
   *[other] { $count } непрочитанных
}
nav-registry = Реестр лицензий
sign-in = Войти
sign-out = Выйти
footer-text = Ruqsat — государственные услуги онлайн. Каждый результат — подписанный PDF, который можно проверить.

error-title = Запрос не выполнен
error-not-found-title = Страница не найдена
error-forbidden-title = Доступ запрещён
error-server-title = Ошибка на сервере
error-code = Код ошибки: { $code }
error-home = На главную

login-title = Вход в Ruqsat
login-login = Логин
login-password = Пароль
login-wrong = Неверный логин или пароль.
login-throttled = Слишком много неудачных попыток входа. Повторите через { $minutes } { $minutes ->
    [one] минуту
    [few] минуты
   *[many] минут
 }.
login-throttled-seconds = Слишком много неудачных попыток входа. Повторите через { $seconds } { $seconds ->
    [one] секунду
    [few] секунды
   *[many] секунд
 }.
login-demo-title = Демонстрационные пользователи
login-demo-hint = Демо-режим: войдите под любым из этих пользователей.
login-demo-who = Кто это

role-applicant = Заявитель
role-con_operator = Оператор ЦОН
role-official = Сотрудник услугодателя
role-commission_member = Член комиссии
role-clinic_registrar = Регистратор поликлиники
role-admin = Администратор


deadline-same_day = в день обращения
deadline-working_days = { $n } { $n ->
    [one] рабочий день
    [few] рабочих дня
   *[many] рабочих дней
 }
deadline-calendar_days = { $n } { $n ->
    [one] календарный день
    [few] календарных дня
   *[many] календарных дней
 }
deadline-working_hours = { $n } { $n ->
    [one] рабочий час
    [few] рабочих часа
   *[many] рабочих часов
 }

list-more = Показать ещё

register-title = Регистрация
register-lead = Учётная запись заявителя создаётся по вашей ЭЦП: ИИН (и БИН) берутся из сертификата.
register-password-hint = Не короче 12 символов.
register-email = Электронная почта (для уведомлений)
register-sign = Подпишите ЭЦП
register-upload-hint = Без браузерной подписи: подпишите этот текст отсоединённой подписью CMS (ruqsat sign --payload файл --out подпись.p7s) и загрузите её.
register-button = Зарегистрироваться
register-have-account = Уже есть учётная запись? Войти
register-link = Нет учётной записи? Зарегистрироваться по ЭЦП
register-done = Учётная запись создана. Войдите с новым паролем.
