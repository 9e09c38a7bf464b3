export { freeUdpPort } from '../../lab/sip/free-port';
