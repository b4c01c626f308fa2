/** Runnable demos of kinesis-resilient. Not a library: never deployed. */
package dev.kinesisresilient.examples;
