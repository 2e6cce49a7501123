//! The `review` workspace (see the module above).

use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}
