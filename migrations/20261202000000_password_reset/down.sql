DROP TABLE outbox;
DROP TABLE password_reset_throttle;
DROP TABLE password_reset_tokens;
