DROP TABLE registration_throttle;
