//! NOTE FROM THE LEAD (06:58): this file was deleted by accident by a shell
//! command of mine (sorry!). Its previous contents are lost on disk: please
//! recreate it from your own context (your helpers: handshake_call, run!
//! macro, etc.). Remove this note when you do.
