# День регистратора поликлиники: записи по врачам, вызовы на дом, отметки о визитах и
# запись по обращению.
clinic-day-title = Регистратура, { $date }
clinic-date = Дата
clinic-show = Показать
clinic-prev-day = Предыдущий день
clinic-today = Сегодня
clinic-next-day = Следующий день
clinic-call-link = Принять обращение
clinic-appointments = { $count ->
    [one] { $count } запись на прием
    [few] { $count } записи на прием
   *[many] { $count } записей на прием
 }
clinic-cabinet = кабинет { $cabinet }
clinic-time = Время
clinic-start = Начало
clinic-end = Окончание
clinic-doctor = Врач
clinic-patient = Пациент
clinic-visit = Визит
clinic-actions = Действия
visit-attended = Пришел
visit-no_show = Не явился
visit-done = Выполнен
clinic-reschedule = Перенести
clinic-cancel = Отменить
clinic-no-appointments = На этот день записей нет.
clinic-home-calls = { $count ->
    [one] { $count } вызов на дом
    [few] { $count } вызова на дом
   *[many] { $count } вызовов на дом
 }
clinic-address = Адрес
clinic-district-doctor = Участковый врач
clinic-time-window = Время прихода
clinic-confirm = Подтвердить
clinic-no-home-calls = На этот день вызовов на дом нет.
clinic-reschedule-title = Перенос записи { $number }
clinic-current-slot = Записан на
clinic-new-slot = Новое время
clinic-reschedule-button = Перенести запись
clinic-no-slots-week = У врача нет свободного времени в эти семь дней.
clinic-next-week = Следующая неделя
clinic-call-title = Обращение пациента
clinic-call-lead = Найдите позвонившего по ИИН и назовите ему ФИО из государственной базы. Затем запишите его на прием (врач и свободное время) или оформите вызов врача на дом и подпишите своей ЭЦП.
clinic-call-lead-desk = Ваш регион не принимает заявки по телефону: оформляйте обращения пришедших в регистратуру. Найдите человека по ИИН, затем запишите его на прием (врач и свободное время) или оформите вызов врача на дом и подпишите своей ЭЦП.
clinic-caller-iin = ИИН пациента
clinic-caller-is = По данным государственной базы:
clinic-channel = Способ обращения
clinic-slot = Свободное время
clinic-caller-phone = Контактный телефон
clinic-book = Записать и подписать
clinic-no-slots-day = У врача нет свободного времени в этот день: выберите другой день.
clinic-show-slots = Показать свободное время
clinic-call-home-call = Вызов врача на дом
clinic-call-home-call-hint = Вызов принимается на сегодня. Адрес взят из государственной базы: уточните его у звонящего. Затем подпишите вызов своей ЭЦП и подтвердите время прихода врача в списке дня.
clinic-call-home-call-button = Оформить вызов и подписать
