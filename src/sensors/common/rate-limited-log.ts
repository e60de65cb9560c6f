// The sensors' flood-proof warning log; it lives in core because the whole appliance uses it.
export { RateLimitedLog } from '../../core/rate-limited-log.js';
