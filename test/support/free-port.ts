export { freeTcpPort, freeUdpPort } from '../../lab/support/free-port';
