/** JMH benchmarks of kinesis-resilient. Not a library. */
package dev.kinesisresilient.benchmarks;
