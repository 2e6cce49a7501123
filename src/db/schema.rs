// The schema shared by SQLite and PostgreSQL (migrations/sqlite, migrations/postgres).
// Written by hand: only types both backends map the same way.

diesel::table! {
    users (id) {
        id -> Text,
        login -> Text,
        password_hash -> Text,
        role -> Text,
        full_name -> Text,
        iin -> Nullable<Text>,
        bin -> Nullable<Text>,
        email -> Nullable<Text>,
        provider_code -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        lang -> Text,
        lang_chosen -> Bool,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    counters (name) {
        name -> Text,
        value -> BigInt,
    }
}

diesel::table! {
    requests (id) {
        id -> Text,
        number -> Text,
        service_code -> Text,
        service_version -> Integer,
        variant -> Text,
        channel -> Text,
        state -> Text,
        applicant_kind -> Text,
        applicant_iin -> Nullable<Text>,
        applicant_bin -> Nullable<Text>,
        applicant_name -> Text,
        owner_user_id -> Nullable<Text>,
        created_by -> Text,
        form_json -> Text,
        fee_tiyn -> BigInt,
        registered_at -> Nullable<Timestamp>,
        due_at -> Nullable<Timestamp>,
        extended -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        provider_code -> Text,
        intake_office -> Nullable<Text>,
    }
}

diesel::table! {
    registration_challenges (challenge) {
        challenge -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    login_throttle (key) {
        key -> Text,
        failures -> BigInt,
        last_failure -> Timestamp,
        blocked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    access_log (id) {
        id -> Text,
        request_id -> Text,
        user_id -> Text,
        role -> Text,
        what -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    account_audit (id) {
        id -> Text,
        user_id -> Text,
        actor -> Text,
        action -> Text,
        detail -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    request_history (id) {
        id -> Text,
        request_id -> Text,
        seq -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_role -> Text,
        action -> Text,
        from_state -> Nullable<Text>,
        to_state -> Text,
        reason -> Nullable<Text>,
        requirements -> Text,
        data_json -> Nullable<Text>,
    }
}

diesel::table! {
    attachments (id) {
        id -> Text,
        request_id -> Text,
        doc_type -> Text,
        sha256 -> Text,
        size_bytes -> BigInt,
        content_type -> Text,
        file_name -> Text,
        attached_by -> Text,
        attached_role -> Text,
        original_seen -> Nullable<Bool>,
        created_at -> Timestamp,
        original_returned -> Nullable<Bool>,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(request_history -> requests (request_id));
diesel::joinable!(attachments -> requests (request_id));

diesel::joinable!(access_log -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    access_log,
    users,
    sessions,
    counters,
    requests,
    request_history,
    attachments
);

diesel::table! {
    signatures (id) {
        id -> Text,
        request_id -> Text,
        signer_user_id -> Text,
        signer_role -> Text,
        payload_sha256 -> Text,
        cms_sha256 -> Text,
        subject -> Text,
        subject_iin -> Nullable<Text>,
        subject_bin -> Nullable<Text>,
        serial_hex -> Text,
        issuer -> Text,
        algorithm -> Text,
        signed_at -> Nullable<Timestamp>,
        verified_at -> Timestamp,
    }
}

diesel::table! {
    documents (id) {
        id -> Text,
        request_id -> Text,
        kind -> Text,
        title -> Text,
        sha256 -> Text,
        size_bytes -> BigInt,
        signer_subject -> Text,
        signer_serial -> Text,
        issued_at -> Timestamp,
        issued_by -> Nullable<Text>,
        status -> Text,
        status_reason -> Nullable<Text>,
        status_at -> Timestamp,
        superseded_by -> Nullable<Text>,
        registry_number -> Nullable<Text>,
        issued_as -> Text,
    }
}

diesel::table! {
    payments (id) {
        id -> Text,
        request_id -> Text,
        gateway_payment_id -> Nullable<Text>,
        amount_tiyn -> BigInt,
        currency -> Text,
        payer_iin_bin -> Text,
        kbk -> Text,
        purpose -> Text,
        status -> Text,
        payment_page_url -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        paid_at -> Nullable<Timestamp>,
        last_event_id -> Nullable<Text>,
    }
}

diesel::table! {
    payment_events (id) {
        id -> Text,
        payment_id -> Text,
        received_at -> Timestamp,
        source -> Text,
        status -> Text,
        amount_tiyn -> BigInt,
        currency -> Text,
        outcome -> Text,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        kind -> Text,
        recipient -> Text,
        lang -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        request_id -> Nullable<Text>,
        document_id -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_resets (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        user_id -> Text,
        request_id -> Text,
        kind -> Text,
        state -> Text,
        data_json -> Nullable<Text>,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    quality_answers (request_id) {
        request_id -> Text,
        service_code -> Text,
        user_id -> Text,
        answers_json -> Text,
        answered_at -> Timestamp,
    }
}

diesel::joinable!(notifications -> requests (request_id));
diesel::allow_tables_to_appear_in_same_query!(notifications, requests);
diesel::joinable!(payments -> requests (request_id));
diesel::joinable!(payment_events -> payments (payment_id));
diesel::allow_tables_to_appear_in_same_query!(payments, requests);
diesel::joinable!(documents -> requests (request_id));
diesel::joinable!(signatures -> requests (request_id));
diesel::allow_tables_to_appear_in_same_query!(signatures, requests);
diesel::allow_tables_to_appear_in_same_query!(signatures, users);
diesel::allow_tables_to_appear_in_same_query!(documents, requests);

diesel::table! {
    bookings (id) {
        id -> Text,
        request_id -> Text,
        clinic_code -> Text,
        doctor_code -> Text,
        start_at -> Timestamp,
        end_at -> Timestamp,
        created_at -> Timestamp,
        cancelled_at -> Nullable<Timestamp>,
        cancelled_by -> Nullable<Text>,
    }
}

diesel::joinable!(bookings -> requests (request_id));
diesel::allow_tables_to_appear_in_same_query!(bookings, requests);

diesel::table! {
    phc_register (id) {
        id -> Text,
        person_iin -> Text,
        clinic_code -> Text,
        district -> Nullable<Text>,
        started_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        request_id -> Nullable<Text>,
        ended_by -> Nullable<Text>,
    }
}
