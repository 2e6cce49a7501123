//! Errors that reach a user: a stable machine code, an HTTP status and a message in
//! Russian, Kazakh and English (G-48). Every code is listed once in [`CODES`]; a test
//! checks that each has all three messages.

use serde::Serialize;
use std::fmt;
use utoipa::ToSchema;

/// A user-facing error. `detail` adds specifics (which field, which document).
#[derive(Debug, Clone)]
pub struct AppError {
    pub code: &'static str,
    pub status: u16,
    pub detail: Option<String>,
}

/// (code, HTTP status, ru, kk, en)
pub const CODES: &[(&str, u16, &str, &str, &str)] = &[
    ("MALFORMED_JSON", 400, "Некорректный JSON в запросе", "Сұраныстағы JSON қате", "The request body is not valid JSON"),
    ("BAD_REQUEST", 400, "Некорректный запрос", "Сұраныс қате", "The request is not valid"),
    ("UNAUTHENTICATED", 401, "Требуется вход в систему", "Жүйеге кіру қажет", "Authentication is required"),
    ("INVALID_CREDENTIALS", 401, "Неверный логин или пароль: отказ в авторизации в связи с имеющимися нарушениями в данных", "Логин немесе құпиясөз қате", "Wrong login or password"),
    ("FORBIDDEN", 403, "Недостаточно прав для этого действия", "Бұл әрекетке құқық жеткіліксіз", "You are not allowed to do this"),
    ("CHANNEL_NOT_ALLOWED", 403, "Ваша роль не может подавать заявки по этому каналу", "Сіздің рөліңіз бұл арна арқылы өтінім бере алмайды", "Your role cannot open requests in this channel"),
    ("ACTION_NOT_PERMITTED", 403, "Это действие выполняет другой участник процесса", "Бұл әрекетті процестің басқа қатысушысы орындайды", "Another participant performs this action"),
    ("SYSTEM_ACTION", 403, "Это действие выполняется системой после проверки (оплата, ЭЦП, регистрация)", "Бұл әрекетті жүйе тексеруден кейін орындайды", "Ruqsat performs this action itself after a verified event (payment, signature, registration)"),
    ("REQUEST_NOT_FOUND", 404, "Заявка не найдена", "Өтінім табылмады", "Request not found"),
    ("UNKNOWN_SERVICE", 404, "Услуга не найдена в каталоге", "Қызмет каталогта табылмады", "No such service in the catalog"),
    ("NOT_FOUND", 404, "Не найдено", "Табылмады", "Not found"),
    ("UNKNOWN_VARIANT", 422, "Неизвестный вид услуги", "Қызметтің белгісіз түрі", "Unknown service variant"),
    ("UNKNOWN_CHANNEL", 422, "Неизвестный канал подачи", "Белгісіз беру арнасы", "Unknown channel"),
    ("APPLICANT_KIND_NOT_ALLOWED", 422, "Услуга недоступна для данного типа заявителя", "Қызмет өтініш берушінің бұл түріне қолжетімсіз", "This service is not available to this kind of applicant"),
    ("APPLICANT_MISMATCH", 422, "ИИН/БИН заявителя не совпадает с учетной записью", "Өтініш берушінің ЖСН/БСН есептік жазбаға сәйкес келмейді", "The applicant IIN/BIN does not match your account"),
    ("IIN_FORMAT", 422, "ИИН должен состоять из 12 цифр", "ЖСН 12 цифрдан тұруы керек", "An IIN is 12 digits"),
    ("IIN_CHECKSUM", 422, "Неверный ИИН: не сходится контрольный разряд", "ЖСН қате: бақылау разряды сәйкес келмейді", "Invalid IIN: the check digit does not match"),
    ("IIN_BIRTH_DATE", 422, "Неверный ИИН: дата рождения или разряд века и пола", "ЖСН қате: туған күні немесе ғасыр мен жыныс разряды", "Invalid IIN: birth date or century/sex digit"),
    ("BIN_FORMAT", 422, "БИН должен состоять из 12 цифр", "БСН 12 цифрдан тұруы керек", "A BIN is 12 digits"),
    ("BIN_CHECKSUM", 422, "Неверный БИН: не сходится контрольный разряд", "БСН қате: бақылау разряды сәйкес келмейді", "Invalid BIN: the check digit does not match"),
    ("BIN_STRUCTURE", 422, "Неверный БИН: месяц регистрации или тип организации", "БСН қате: тіркелу айы немесе ұйым түрі", "Invalid BIN: registration month or entity type"),
    ("UNKNOWN_FIELD", 422, "Поле отсутствует в форме услуги", "Өріс қызмет нысанында жоқ", "The form of this service has no such field"),
    ("FIELD_INVALID", 422, "Значение поля не соответствует формату", "Өріс мәні форматқа сәйкес келмейді", "A field value has the wrong format"),
    ("FORM_INCOMPLETE", 422, "Не заполнены обязательные поля формы", "Нысанның міндетті өрістері толтырылмаған", "Required form fields are missing"),
    ("MISSING_DOCUMENTS", 422, "Не приложены обязательные документы", "Міндетті құжаттар қоса берілмеген", "Required documents are not attached"),
    ("UNKNOWN_DOCUMENT_TYPE", 422, "Такой документ не предусмотрен для этой услуги и канала", "Бұл қызмет пен арна үшін мұндай құжат көзделмеген", "This document type is not part of this service and channel"),
    ("FILE_TOO_LARGE", 413, "Файл превышает допустимый размер", "Файл рұқсат етілген көлемнен асады", "The file is larger than allowed"),
    ("UNSUPPORTED_FILE_TYPE", 415, "Допускаются только файлы PDF, JPEG и PNG", "Тек PDF, JPEG және PNG файлдарына рұқсат етіледі", "Only PDF, JPEG and PNG files are accepted"),
    ("EMPTY_FILE", 422, "Файл пуст", "Файл бос", "The file is empty"),
    ("NOT_EDITABLE", 409, "Заявка уже отправлена и не может изменяться", "Өтінім жіберілген, оны өзгертуге болмайды", "The request was sent and can no longer change"),
    ("ILLEGAL_TRANSITION", 409, "Действие недопустимо в текущем статусе заявки", "Өтінімнің ағымдағы мәртебесінде әрекетке жол берілмейді", "This action is not allowed in the request's current status"),
    ("UNKNOWN_ACTION", 422, "Неизвестное действие для этой услуги", "Бұл қызмет үшін белгісіз әрекет", "Unknown action for this service"),
    ("PAYMENT_NOT_CONFIRMED", 409, "Отказ в запрашиваемой услуге в связи с отсутствием оплаты за оказание услуги", "Қызмет көрсетуге төлемнің болмауына байланысты сұралған қызметтен бас тарту", "Refused: the service has not been paid for"),
    ("SIGNATURE_REQUIRED", 409, "Заявка должна быть подписана ЭЦП", "Өтінімге ЭЦҚ қойылуы керек", "The request must be signed with a digital signature"),
    ("REASON_REQUIRED", 422, "Укажите причину (мотивированный отказ)", "Себебін көрсетіңіз (дәлелді бас тарту)", "A reason is required"),
    ("BAD_EXTENSION", 422, "Новый срок должен быть позже текущего", "Жаңа мерзім ағымдағыдан кейін болуы керек", "The new due date must be later than the current one"),
    ("CONCURRENT_UPDATE", 409, "Заявка была изменена другим пользователем, повторите действие", "Өтінімді басқа пайдаланушы өзгертті, әрекетті қайталаңыз", "The request was changed by someone else; try again"),
    ("APPLICANT_NOT_IN_REGISTRY", 422, "Невозможно получить данные в связи с отсутствием данных заявителя в ГБД ФЛ/ГБД ЮЛ", "ЖТ ММБ/ЗТ ММБ-да өтініш берушінің деректері болмағандықтан деректерді алу мүмкін емес", "The applicant's data are absent from the state registry (ГБД ФЛ / ГБД ЮЛ)"),
    ("REGISTRY_UNAVAILABLE", 503, "Государственная база данных временно недоступна", "Мемлекеттік деректер базасы уақытша қолжетімсіз", "The state registry is temporarily unavailable"),
    ("SIGNATURE_MALFORMED", 422, "Подпись не является CMS/PKCS#7", "Қолтаңба CMS/PKCS#7 емес", "The signature is not a CMS/PKCS#7 SignedData"),
    ("SIGNATURE_INVALID", 422, "Отказ в связи с не подтверждением подлинности ЭЦП: подпись неверна", "ЭЦҚ түпнұсқалығы расталмағандықтан бас тарту: қолтаңба дұрыс емес", "Refused: the digital signature does not verify"),
    ("SIGNATURE_PAYLOAD_MISMATCH", 422, "Подпись поставлена не под текущими данными заявки", "Қолтаңба өтінімнің ағымдағы деректеріне қойылмаған", "The signature is not over the request's current data"),
    ("SIGNATURE_UNTRUSTED_ISSUER", 422, "Отказ в связи с не подтверждением подлинности ЭЦП: сертификат выдан недоверенным центром", "ЭЦҚ түпнұсқалығы расталмағандықтан бас тарту: куәлікті сенімсіз орталық берген", "Refused: the certificate was not issued by a trusted certification authority"),
    ("CERTIFICATE_EXPIRED", 422, "Отказ в связи с не подтверждением подлинности ЭЦП: срок действия регистрационного свидетельства истек", "ЭЦҚ түпнұсқалығы расталмағандықтан бас тарту: тіркеу куәлігінің мерзімі өтті", "Refused: the certificate has expired"),
    ("CERTIFICATE_NOT_YET_VALID", 422, "Отказ в связи с не подтверждением подлинности ЭЦП: регистрационное свидетельство еще не действует", "ЭЦҚ түпнұсқалығы расталмағандықтан бас тарту: тіркеу куәлігі әлі күшіне енбеген", "Refused: the certificate is not yet valid"),
    ("CERTIFICATE_REVOKED", 422, "Отказ в связи с не подтверждением подлинности ЭЦП: регистрационное свидетельство отозвано", "ЭЦҚ түпнұсқалығы расталмағандықтан бас тарту: тіркеу куәлігі кері қайтарылған", "Refused: the certificate is revoked"),
    ("CRL_UNAVAILABLE", 503, "Невозможно проверить отзыв сертификата: список отозванных недоступен, повторите позже", "Куәліктің кері қайтарылуын тексеру мүмкін емес: тізім қолжетімсіз, кейінірек қайталаңыз", "Cannot check revocation: the revocation list is unavailable; try again later"),
    ("SIGNER_IDENTITY_MISMATCH", 422, "Отказ в связи с не подтверждением подлинности ЭЦП: ИИН/БИН в сертификате не совпадает с ИИН/БИН в запросе", "ЭЦҚ түпнұсқалығы расталмағандықтан бас тарту: куәліктегі ЖСН/БСН сұраныстағыға сәйкес келмейді", "Refused: the IIN/BIN in the certificate does not match the request"),
    ("CERTIFICATE_KEY_USAGE", 422, "Отказ в связи с не подтверждением подлинности ЭЦП: сертификат не предназначен для подписи", "ЭЦҚ түпнұсқалығы расталмағандықтан бас тарту: куәлік қол қоюға арналмаған", "Refused: the certificate is not meant for signing"),
    ("FEE_NO_MRP_FOR_YEAR", 503, "Размер платы за этот год не настроен: нет значения МРП на год заявки; обратитесь в call-центр 1414", "Осы жылға төлем мөлшері бапталмаған: өтінім жылына АЕК мәні жоқ; 1414 call-орталығына хабарласыңыз", "The fee for this year is not configured: there is no МРП value for the year of the request; call 1414"),
    ("RESULT_SIGNER_NOT_CONFIGURED", 503, "Ключ ЭЦП услугодателя для подписи результатов не настроен; обратитесь к администратору", "Нәтижелерге қол қоюға арналған көрсетушінің ЭЦҚ кілті бапталмаған; әкімшіге хабарласыңыз", "The provider's result-signing key is not configured; contact the administrator"),
    ("DOCUMENT_FIELDS_MISSING", 422, "Для формирования документа не хватает данных решения; заполните указанные поля", "Құжатты қалыптастыру үшін шешім деректері жетіспейді; көрсетілген өрістерді толтырыңыз", "The decision lacks data the document needs; fill in the fields named"),
    ("DOCUMENT_NOT_FOUND", 404, "Документ не найден", "Құжат табылмады", "Document not found"),
    ("RESULT_NOT_READY", 404, "Результат по заявке ещё не сформирован", "Өтінім бойынша нәтиже әлі қалыптастырылмаған", "The result of this request is not ready yet"),
    ("PAYMENT_NOT_REQUIRED", 409, "Услуга бесплатна: оплата не требуется", "Қызмет тегін: төлем қажет емес", "This service is free: no payment is needed"),
    ("PAYMENT_NOT_FOUND", 404, "Платёж по заявке не создан", "Өтінім бойынша төлем жасалмаған", "No payment has been created for this request"),
    ("PAYMENT_GATEWAY_TIMEOUT", 504, "Платёжный шлюз не ответил вовремя; заявка ожидает оплаты, повторите попытку", "Төлем шлюзі уақытында жауап бермеді; өтінім төлемді күтуде, қайталап көріңіз", "The payment gateway did not answer in time; the request waits for payment, try again"),
    ("PAYMENT_GATEWAY_UNAVAILABLE", 503, "Платёжный шлюз недоступен; заявка ожидает оплаты, повторите попытку позже", "Төлем шлюзі қолжетімсіз; өтінім төлемді күтуде, кейінірек қайталаңыз", "The payment gateway is unavailable; the request waits for payment, try again later"),
    ("PAYMENT_DECLINED", 402, "Платёж отклонён банком", "Төлемді банк қабылдамады", "The payment was declined"),
    ("PAYMENT_GATEWAY_MALFORMED", 502, "Некорректный ответ платёжного шлюза", "Төлем шлюзінің жауабы қате", "The payment gateway sent a malformed answer"),
    ("PAYMENT_AMOUNT_MISMATCH", 409, "Сумма платежа не совпадает с суммой к оплате", "Төлем сомасы төленетін сомаға сәйкес келмейді", "The payment amount does not match the amount due"),
    ("PAYMENT_CURRENCY_MISMATCH", 409, "Валюта платежа не совпадает", "Төлем валютасы сәйкес келмейді", "The payment currency does not match"),
    ("PAYMENT_GATEWAY_NOT_FOUND", 404, "Платёж не найден в платёжном шлюзе", "Төлем шлюзде табылмады", "The gateway does not know this payment"),
    ("PAYMENT_GATEWAY_REJECTED", 502, "Платёжный шлюз отклонил запрос", "Төлем шлюзі сұранысты қабылдамады", "The payment gateway rejected the request"),
    ("PAYMENT_INVALID_REQUEST", 422, "Данные платежа некорректны", "Төлем деректері қате", "The payment data are not valid"),
    ("PAYMENT_CALLBACK_BAD_SIGNATURE", 401, "Подпись уведомления платёжного шлюза неверна", "Төлем шлюзі хабарламасының қолтаңбасы қате", "The gateway notification's signature is wrong"),
    ("PAYMENT_CALLBACK_STALE", 401, "Уведомление платёжного шлюза устарело", "Төлем шлюзінің хабарламасы ескірген", "The gateway notification is too old"),
    ("PAYMENT_CALLBACK_MALFORMED", 400, "Некорректное уведомление платёжного шлюза", "Төлем шлюзінің хабарламасы қате", "The gateway notification is malformed"),
    ("PAYMENT_UNKNOWN", 404, "Платёж не найден", "Төлем табылмады", "Unknown payment"),
    ("LICENCE_NOT_FOUND", 422, "Действующая лицензия заявителя с этим номером не найдена в реестре", "Өтініш берушінің осы нөмірлі қолданыстағы лицензиясы тізілімде табылмады", "No licence of the applicant in force with this number in the registry"),
    ("QUALIFICATION_NOT_ASSESSED", 409, "Сначала заполните проверочный лист квалификационных требований", "Алдымен біліктілік талаптарының тексеру парағын толтырыңыз", "Fill in the qualification checklist first"),
    ("QUALIFICATION_NOT_MET", 409, "Заявитель не соответствует квалификационным требованиям: выдача невозможна, возможен мотивированный отказ", "Өтініш беруші біліктілік талаптарына сәйкес келмейді: беру мүмкін емес, дәлелді бас тарту мүмкін", "The applicant does not meet the qualification requirements: issue a motivated refusal instead"),
    ("CHECKLIST_INCOMPLETE", 422, "Отметьте каждое применимое квалификационное требование ровно один раз", "Әрбір қолданылатын біліктілік талабын бір рет белгілеңіз", "Mark every applicable qualification item exactly once"),
    ("RECIPIENT_REQUIRED", 422, "Укажите получателя результата: ФИО и ИИН по предъявленному удостоверению личности", "Нәтижені алушыны көрсетіңіз: ұсынылған жеке куәлік бойынша аты-жөні және ЖСН", "Record who receives the result: full name and IIN from the identity document shown"),
    ("INTERNAL", 500, "Внутренняя ошибка; заявка не изменена", "Ішкі қате; өтінім өзгертілмеді", "Internal error; the request was not changed"),
];

impl AppError {
    /// Builds an error from a code in [`CODES`]; an unknown code becomes `INTERNAL`.
    pub fn new(code: &'static str) -> Self {
        let status = CODES
            .iter()
            .find(|c| c.0 == code)
            .map(|c| c.1)
            .unwrap_or(500);
        AppError {
            code,
            status,
            detail: None,
        }
    }
    pub fn with(code: &'static str, detail: impl Into<String>) -> Self {
        AppError {
            detail: Some(detail.into()),
            ..AppError::new(code)
        }
    }
    pub fn internal(e: impl fmt::Display) -> Self {
        tracing::error!(error = %e, "internal error");
        AppError::new("INTERNAL")
    }
    pub fn message(&self, lang: &str) -> &'static str {
        let row = CODES.iter().find(|c| c.0 == self.code);
        match (row, lang) {
            (Some(r), "ru") => r.2,
            (Some(r), "kk") => r.3,
            (Some(r), _) => r.4,
            (None, _) => "Internal error",
        }
    }
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorPayload {
                code: self.code.to_string(),
                message: Messages {
                    ru: self.message("ru").to_string(),
                    kk: self.message("kk").to_string(),
                    en: self.message("en").to_string(),
                },
                detail: self.detail.clone(),
            },
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

/// JSON error envelope: `{"error": {"code", "message": {"ru","kk","en"}, "detail"}}`.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorPayload,
}

#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorPayload {
    /// Stable machine-readable code, e.g. `IIN_CHECKSUM`.
    pub code: String,
    pub message: Messages,
    pub detail: Option<String>,
}

#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct Messages {
    pub ru: String,
    pub kk: String,
    pub en: String,
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => AppError::new("NOT_FOUND"),
            other => AppError::internal(other),
        }
    }
}

impl From<crate::domain::lifecycle::TransitionError> for AppError {
    fn from(e: crate::domain::lifecycle::TransitionError) -> Self {
        use crate::domain::lifecycle::TransitionError as T;
        let detail = e.to_string();
        let code = match e {
            T::UnknownAction(_) => "UNKNOWN_ACTION",
            T::IllegalTransition { .. } => "ILLEGAL_TRANSITION",
            T::NotPermitted(_) => "ACTION_NOT_PERMITTED",
            T::SystemOnly(_) => "SYSTEM_ACTION",
            T::FormIncomplete(_) => "FORM_INCOMPLETE",
            T::MissingDocuments(_) => "MISSING_DOCUMENTS",
            T::PaymentNotConfirmed => "PAYMENT_NOT_CONFIRMED",
            T::SignatureRequired => "SIGNATURE_REQUIRED",
            T::ReasonRequired => "REASON_REQUIRED",
            T::BadExtension => "BAD_EXTENSION",
            T::QualificationNotAssessed => "QUALIFICATION_NOT_ASSESSED",
            T::QualificationNotMet(_) => "QUALIFICATION_NOT_MET",
            T::RecipientRequired => "RECIPIENT_REQUIRED",
        };
        AppError::with(code, detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_three_messages_and_a_4xx_or_5xx_status() {
        let mut seen = std::collections::BTreeSet::new();
        for (code, status, ru, kk, en) in CODES {
            assert!(seen.insert(*code), "duplicate code {code}");
            assert!((400..600).contains(status), "{code}");
            assert!(!ru.is_empty() && !kk.is_empty() && !en.is_empty(), "{code}");
            assert!(
                code.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
                "{code}"
            );
        }
    }

    #[test]
    fn unknown_code_is_internal() {
        assert_eq!(AppError::new("NO_SUCH").status, 500);
        assert_eq!(AppError::new("IIN_CHECKSUM").status, 422);
    }
}
