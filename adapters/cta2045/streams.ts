/**
 * The byte stream to a device, from the address an operator writes: `tcp://host:port`,
 * `unix:/path/to/socket`, or the path of a serial device (`/dev/ttyUSB0`, optionally `serial:`
 * before it). A serial port is opened as a file, raw, with no native module: its speed and framing
 * (19200 8N1) are set beforehand, e.g. `stty -F /dev/ttyUSB0 19200 cs8 -parenb -cstopb raw`.
 * A device that listens for its UCM is reached the same way with `listen` (the emulator's side).
 */
import { constants, createReadStream, createWriteStream, openSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { isatty, ReadStream, WriteStream } from 'node:tty';

export type DeviceAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'serial'; readonly path: string };

/** Reads an address; @throws Error with the reason when it is none of the three forms. */
export function parseAddress(text: string): DeviceAddress {
  const tcp = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d{1,5})$/.exec(text);
  if (tcp) {
    const port = Number(tcp[2]);
    if (port > 65535) throw new Error(`${text}: the port must be 0 (listening: any free port) to 65535`);
    return { kind: 'tcp', host: tcp[1]!.replace(/^\[|\]$/g, ''), port };
  }
  if (text.startsWith('unix:')) return { kind: 'unix', path: text.slice('unix:'.length) };
  const path = text.startsWith('serial:') ? text.slice('serial:'.length) : text;
  if (path.startsWith('/')) return { kind: 'serial', path };
  throw new Error(`${text}: a device address is tcp://HOST:PORT, unix:PATH or the absolute path of a serial device`);
}

const connected = (socket: Socket) => new Promise<Socket>((resolve, reject) => {
  socket.once('connect', () => resolve(socket));
  socket.once('error', reject);
});

/** Opens the stream to a device at `address` (the UCM's side). */
export async function openDevice(address: DeviceAddress): Promise<Duplex> {
  switch (address.kind) {
    case 'tcp': return connected(createConnection({ host: address.host, port: address.port }));
    case 'unix': return connected(createConnection(address.path));
    case 'serial': return openSerial(address.path);
  }
}

/** A serial device (or any character device or FIFO) as one duplex stream, raw when it is a terminal. */
export function openSerial(path: string): Duplex {
  const fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
  if (isatty(fd)) {
    const readable = new ReadStream(fd);
    readable.setRawMode(true); // no echo, no line editing, no CR/LF translation: bytes as they are
    return Duplex.from({ readable, writable: new WriteStream(fd) });
  }
  return Duplex.from({ readable: createReadStream('', { fd, autoClose: false }), writable: createWriteStream('', { fd, autoClose: true }) });
}

/** Listens at a TCP or Unix address for UCMs, each connection handed to `onConnection`. */
export function listenAt(address: Exclude<DeviceAddress, { kind: 'serial' }>, onConnection: (socket: Socket) => void): Promise<Server> {
  const server = createServer(onConnection);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const ready = () => resolve(server);
    if (address.kind === 'tcp') server.listen(address.port, address.host, ready);
    else server.listen(address.path, ready);
  });
}
